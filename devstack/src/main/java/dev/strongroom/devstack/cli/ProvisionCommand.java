package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.provision.ProvisionCompleted;
import dev.strongroom.contracts.provision.ProvisionMode;
import dev.strongroom.contracts.provision.ProvisionRequest;
import dev.strongroom.contracts.provision.StepOutcome;
import dev.strongroom.devstack.stack.StackException;
import dev.strongroom.provisioner.host.BundleFile;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.host.HostRequests;
import dev.strongroom.provisioner.host.InvalidHostOptionException;
import dev.strongroom.provisioner.host.plan.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./strongroom provision --render DIR [options]}: writes the host-hardening bundle for
 * review (docs/ops-plane.md). {@code --plan TARGET} / {@code --apply TARGET}: asks the running
 * stack's provisioner-service to check or apply that bundle on the target (over Kafka, see {@link
 * ProvisionDispatch}), prints each step as it finishes and the result; with {@code
 * --rotate-certificates [--issued-before T]} the run is the target's certificate rotation instead,
 * with {@code --rotate-at-rest-keys [--issued-before T]} its at-rest key rotation. Exit 0 written /
 * planned / applied / no change, 1 the run FAILED (unreachable target, a step failed), 2 a bad
 * option or target (named) or a request the service refused as such, 3 the stack is not up, the
 * directory cannot be written, or no answer in time.
 */
@Command(
    name = "provision",
    description =
        "Provision a host. --render DIR writes the host-hardening bundle (firewall, fail2ban,"
            + " systemd units and timers, sysctl, users, modes) for review; --plan TARGET shows"
            + " what the provisioner-service would change on TARGET, --apply TARGET applies it"
            + " (TARGET: local or ssh://user@host[:port]; the stack must be up);"
            + " --rotate-certificates rotates the target's certificates instead,"
            + " --rotate-at-rest-keys its at-rest keys.")
final class ProvisionCommand implements Callable<Integer> {
  @ParentCommand StrongroomCommand root;

  static final class Mode {
    @Option(
        names = "--render",
        paramLabel = "DIR",
        required = true,
        description = "Write the host bundle and its MANIFEST.tsv under DIR.")
    Path render;

    @Option(
        names = "--plan",
        paramLabel = "TARGET",
        required = true,
        description =
            "Ask the provisioner-service what would change on TARGET (local or"
                + " ssh://user@host[:port]); changes nothing.")
    String plan;

    @Option(
        names = "--apply",
        paramLabel = "TARGET",
        required = true,
        description = "Apply the bundle on TARGET; a provisioned target reports no change.")
    String apply;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Mode mode;

  @Mixin HostOptionsMixin host;

  @Option(
      names = "--request-id",
      description = "Request id (default: a new one); a repeat gets the first run's result.")
  String requestId;

  @Option(names = "--reason", description = "Why (free text, up to 200 characters).")
  String reason;

  @Option(names = "--timeout", description = "How long to wait for the result (default PT10M).")
  Duration timeout = Duration.ofMinutes(10);

  @Option(
      names = "--rotate-certificates",
      description =
          "With --plan/--apply: instead of the host bundle, the target's certificates — every one"
              + " issued before --issued-before is replaced from the provisioner's PKI, installed,"
              + " the database's TLS reloaded (FLUSH SSL), each running service checked to present"
              + " its new certificate, and only then the old ones revoked (CRL, FLUSH SSL again).")
  boolean rotate;

  @Option(
      names = "--rotate-at-rest-keys",
      description =
          "With --plan/--apply: instead of the host bundle, the target's at-rest keys. MariaDB with"
              + " hashicorp_key_management: two new versions of every key not yet rotated at or"
              + " after --issued-before, written to Vault by the provisioner, then every tablespace"
              + " re-encrypted under them (waited for), old versions kept. MySQL 8.4: ALTER"
              + " INSTANCE ROTATE INNODB/BINLOG MASTER KEY. file_key_management is refused.")
  boolean rotateAtRestKeys;

  @Option(
      names = "--issued-before",
      paramLabel = "INSTANT",
      description =
          "The rotation's instant, UTC in whole seconds (2026-12-05T00:00:00Z; default: now)."
              + " Re-running with the same instant changes nothing.")
  String issuedBefore;

  @Override
  public Integer call() throws java.io.IOException {
    HostOptions options;
    try {
      options = host.toOptions();
    } catch (InvalidHostOptionException e) {
      root.err.println("strongroom provision: " + e.detail());
      return StrongroomCommand.USAGE;
    }
    if (issuedBefore != null && !rotate && !rotateAtRestKeys) {
      root.err.println(
          "strongroom provision: --issued-before goes with --rotate-certificates or"
              + " --rotate-at-rest-keys");
      return StrongroomCommand.USAGE;
    }
    if (rotate && rotateAtRestKeys) {
      root.err.println(
          "strongroom provision: --rotate-certificates and --rotate-at-rest-keys are separate"
              + " runs");
      return StrongroomCommand.USAGE;
    }
    if (mode.render == null) {
      return dispatch(options);
    }
    if (rotate || rotateAtRestKeys) {
      root.err.println(
          "strongroom provision: "
              + (rotate ? "--rotate-certificates" : "--rotate-at-rest-keys")
              + " goes with --plan or --apply, not --render");
      return StrongroomCommand.USAGE;
    }
    HostBundle bundle = HostBundleRenderer.render(options);
    Path dir = mode.render.toAbsolutePath().normalize();
    bundle.writeTo(dir);
    if (root.json) {
      ObjectNode o = CanonicalJson.mapper().createObjectNode();
      o.put("rendered", dir.toString());
      ArrayNode files = o.putArray("files");
      for (BundleFile f : bundle.files()) {
        files
            .addObject()
            .put("path", f.bundlePath())
            .put("hostPath", f.hostPath().toString())
            .put("owner", f.owner())
            .put("group", f.group())
            .put("mode", f.mode());
      }
      root.printJson(o);
    } else {
      for (BundleFile f : bundle.files()) {
        root.out.printf(
            "%-46s -> %s (%s %s:%s)%n",
            f.bundlePath(), f.hostPath(), f.mode(), f.owner(), f.group());
      }
      root.out.printf(
          "rendered %d files to %s; review them, then %s%n",
          bundle.files().size(),
          dir,
          HostBundle.MANIFEST + " lists where each goes and its SHA-256");
    }
    return StrongroomCommand.OK;
  }

  private Integer dispatch(HostOptions options) throws java.io.IOException {
    ProvisionMode m = mode.plan != null ? ProvisionMode.PLAN : ProvisionMode.APPLY;
    String targetText = mode.plan != null ? mode.plan : mode.apply;
    Target target;
    try {
      target = Target.parse(targetText);
    } catch (InvalidHostOptionException e) {
      root.err.println("strongroom provision: " + e.detail());
      return StrongroomCommand.USAGE;
    }
    String id = requestId != null ? requestId : "provision-" + UuidCreator.getTimeOrderedEpoch();
    if (!id.matches("[A-Za-z0-9._:-]{1,64}") || (reason != null && reason.length() > 200)) {
      root.err.println(
          "strongroom provision: --request-id must match [A-Za-z0-9._:-]{1,64} and --reason be"
              + " at most 200 characters");
      return StrongroomCommand.USAGE;
    }
    ProvisionRequest.Rotate rotation = null;
    if (rotate || rotateAtRestKeys) {
      try {
        Instant t =
            issuedBefore == null
                ? Instant.now().truncatedTo(ChronoUnit.SECONDS)
                : Instant.parse(issuedBefore);
        rotation = new ProvisionRequest.Rotate(t);
      } catch (DateTimeParseException | IllegalArgumentException e) {
        root.err.println(
            "strongroom provision: --issued-before '"
                + issuedBefore
                + "' is not a UTC instant in whole seconds (2026-12-05T00:00:00Z)");
        return StrongroomCommand.USAGE;
      }
    }
    ProvisionRequest.Rotate rotating = rotation;
    String what = rotateAtRestKeys ? "at-rest key versions" : "certificates";
    ProvisionRequest request =
        new ProvisionRequest(
            id,
            m,
            target.toString(),
            HostRequests.toRequest(options),
            rotateAtRestKeys ? null : rotation,
            rotateAtRestKeys ? rotation : null,
            reason);
    ProvisionDispatch.Outcome outcome;
    try {
      outcome =
          ProvisionDispatch.dispatch(
              root,
              request,
              timeout,
              p -> {
                if (!root.json && p.seq() == 0) {
                  root.out.printf("provision %s %s (request %s)%n", m, target, id);
                  if (rotating != null) {
                    root.out.printf(
                        "rotating the %s issued before %s (the same rotation again:"
                            + " --issued-before %s)%n",
                        what, rotating.issuedBefore(), rotating.issuedBefore());
                  }
                }
                if (!root.json && (p.status() != StepOutcome.STARTED || !p.detail().isEmpty())) {
                  root.out.println(ProvisionDispatch.line(p));
                }
              });
    } catch (StackException e) {
      root.err.println("strongroom provision: " + e.getMessage());
      return StrongroomCommand.UNUSABLE;
    }
    if (outcome instanceof ProvisionDispatch.Completed done) {
      ProvisionCompleted c = done.result();
      if (root.json) {
        root.printJson(c.toData());
      } else {
        root.out.println(
            ProvisionDispatch.summary(
                c,
                rotating == null
                    ? "the bundle"
                    : "its " + what + " issued from " + rotating.issuedBefore() + " on"));
      }
      return c.outcome() == ProvisionCompleted.Outcome.FAILED
          ? StrongroomCommand.PROBLEM
          : StrongroomCommand.OK;
    }
    if (outcome instanceof ProvisionDispatch.Refused refused) {
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("requestId", id);
        o.put("refused", refused.reason());
        o.put("detail", refused.detail());
        root.printJson(o);
      }
      root.err.println(
          "strongroom provision: the provisioner-service refused the request: "
              + refused.reason()
              + ": "
              + refused.detail());
      String hint = ProvisionDispatch.hint(root, refused.detail());
      if (!hint.isEmpty()) {
        root.err.println("strongroom provision: " + hint);
      }
      return refused.reason().equals("SCHEMA") || refused.reason().equals("REFUSED")
          ? StrongroomCommand.USAGE
          : StrongroomCommand.UNUSABLE;
    }
    root.err.println(
        "strongroom provision: no result from the provisioner-service within "
            + ((ProvisionDispatch.NoAnswer) outcome).waited()
            + " (is it running? ./strongroom status)");
    return StrongroomCommand.UNUSABLE;
  }
}
