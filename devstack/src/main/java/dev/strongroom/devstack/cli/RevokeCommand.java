package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.devstack.stack.IdentityRevoker;
import dev.strongroom.devstack.stack.StackDescriptor;
import dev.strongroom.devstack.stack.StackException;
import dev.strongroom.provisioner.db.SqlException;
import dev.strongroom.provisioner.pki.PkiSpec;
import dev.strongroom.provisioner.pki.RevocationReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code revoke IDENTITY…} (issue 11): puts each identity's certificate on the CRL and cuts it off
 * the database, Kafka and the services of the running stack within seconds ({@link
 * IdentityRevoker}), then says what each plane did. Exit 0 when every plane refuses the identity
 * afterwards, 1 when a check found one that does not, 2 for an unknown identity, the broker or a
 * bad reason, 3 when the stack is not up or a part cannot be reached.
 */
@Command(
    name = "revoke",
    description =
        "Revoke identities now: their certificates on the CRL, the database's TLS reloaded and"
            + " their sessions killed (bindings removed), DENY ACLs on Kafka, refused by every"
            + " service.")
final class RevokeCommand implements Callable<Integer> {
  @ParentCommand StrongroomCommand root;

  @Parameters(arity = "1..*", paramLabel = "IDENTITY", description = "Identities to revoke.")
  List<String> identities;

  @Option(
      names = "--reason",
      description = "key-compromise (default), superseded or cessation-of-operation.")
  String reason = "key-compromise";

  @Override
  public Integer call() throws IOException {
    List<String> revocable = IdentityRevoker.revocable(PkiSpec.strongroom(List.of()));
    List<String> ids = new ArrayList<>(new LinkedHashSet<>(identities));
    for (String id : ids) {
      if (PkiSpec.KAFKA_BROKER.equals(id)) {
        root.err.println(
            "strongroom: "
                + id
                + " is the broker's super user (ACLs cannot refuse it): rotate the broker's"
                + " certificate instead (docs/runbook-rotation.md)");
        return StrongroomCommand.USAGE;
      }
      if (!revocable.contains(id)) {
        root.err.println(
            "strongroom: unknown identity '"
                + id
                + "' (one of "
                + String.join(", ", revocable)
                + ")");
        return StrongroomCommand.USAGE;
      }
    }
    RevocationReason why;
    try {
      why = RevocationReason.valueOf(reason.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      root.err.println(
          "strongroom: --reason must be key-compromise, superseded or cessation-of-operation, not '"
              + reason
              + "'");
      return StrongroomCommand.USAGE;
    }
    Path stackFile = root.launcher().stackFile();
    if (!Files.exists(stackFile)) {
      throw new StackException("the stack is not up (no " + stackFile + "); run ./strongroom up");
    }
    StackDescriptor stack = StackDescriptor.fromJson(Files.readAllBytes(stackFile));
    long t0 = System.nanoTime();
    List<IdentityRevoker.Outcome> outcomes;
    try {
      outcomes = new IdentityRevoker(stack, root.launcher().pkiDirectory()).revoke(ids, why);
    } catch (SqlException e) {
      throw new StackException("the database did not take the revocation: " + e.getMessage(), e);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    boolean complete = outcomes.stream().allMatch(IdentityRevoker.Outcome::complete);
    if (root.json) {
      ObjectNode o = CanonicalJson.mapper().createObjectNode();
      o.put("complete", complete);
      o.put("seconds", Math.round(seconds * 1000) / 1000.0);
      ArrayNode arr = o.putArray("revoked");
      for (IdentityRevoker.Outcome r : outcomes) {
        ObjectNode n = arr.addObject();
        n.put("identity", r.identity());
        n.put("serial", r.pki().serial().toString(16));
        n.put("crlNumber", r.pki().crlNumber().longValue());
        n.put("reason", r.pki().reason());
        n.put("alreadyRevoked", r.pki().already());
        ObjectNode db = n.putObject("db");
        db.put("reload", r.db().reload());
        db.put("databaseUser", r.db().loginRefused() != null);
        ArrayNode killed = db.putArray("killed");
        r.db().killed().forEach(killed::add);
        db.put("bindingsRemoved", r.db().bindingsRemoved());
        if (r.db().loginRefused() != null) {
          db.put("loginRefused", r.db().loginRefused());
        }
        db.put("millis", r.db().millis());
        n.putObject("kafka")
            .put("denyAcls", r.kafka().denyAcls())
            .put("millis", r.kafka().millis());
        ObjectNode svc = n.putObject("services");
        r.services().answers().forEach(svc::put);
        n.put("servicesRefuse", r.services().allRefused());
      }
      root.printJson(o);
    } else {
      for (IdentityRevoker.Outcome r : outcomes) {
        root.out.printf(
            "revoked %s%s%n", r.identity(), r.complete() ? "" : " — NOT everywhere (see below)");
        root.out.printf(
            "  %-9s serial %s %s the CRL (number %s, %s)%n",
            "pki",
            r.pki().serial().toString(16),
            r.pki().already() ? "was already on" : "put on",
            r.pki().crlNumber(),
            r.pki().reason());
        if (r.db().loginRefused() == null) {
          root.out.printf("  %-9s %s; not a database user%n", "database", r.db().reload());
        } else {
          root.out.printf(
              "  %-9s %s; killed %d connection(s) %s, removed %d binding(s); a new login: %s%n",
              "database",
              r.db().reload(),
              r.db().killed().size(),
              r.db().killed(),
              r.db().bindingsRemoved(),
              r.db().loginRefused().isEmpty()
                  ? "LET IN"
                  : "refused (" + r.db().loginRefused() + ")");
        }
        root.out.printf(
            "  %-9s %d DENY ACLs on User:%s (every topic, group, transactional id, the cluster),"
                + " in the broker's metadata%n",
            "kafka", r.kafka().denyAcls() / outcomes.size(), r.identity());
        List<String> answers = new ArrayList<>();
        r.services().answers().forEach((k, v) -> answers.add(k + " " + v));
        root.out.printf("  %-9s %s%n", "services", String.join(", ", answers));
      }
      root.out.printf(Locale.ROOT, "done in %.2f s%n", seconds);
    }
    return complete ? StrongroomCommand.OK : StrongroomCommand.PROBLEM;
  }
}
