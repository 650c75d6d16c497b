package dev.strongroom.proof.host;

import dev.strongroom.proof.check.Check;
import dev.strongroom.proof.check.Control;
import dev.strongroom.proof.check.Evidence;
import dev.strongroom.proof.check.Method;
import dev.strongroom.proof.check.Outcome;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.provisioner.os.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The host controls. Off a hardened VM (no applied host bundle) each is NOT_APPLICABLE with {@link
 * dev.strongroom.proof.run.HostFacts#notApplicableReason()}: a container or a developer laptop
 * cannot show that the production host is firewalled, and saying PASS would be a lie.
 */
public final class HostControls {
  private HostControls() {}

  /** The body of a host check on a hardened VM. */
  @FunctionalInterface
  interface Body {
    Outcome run(Evidence evidence) throws Exception;
  }

  record HostCheck(Control control, Body body) implements Check {
    @Override
    public Outcome run(ProofContext context, Evidence evidence) throws Exception {
      if (!context.host().hardenedVm()) {
        return Outcome.notApplicable(context.host().notApplicableReason());
      }
      return body.run(evidence);
    }
  }

  private static Control control(
      String id, String title, Method method, String notes, List<String> sources) {
    return new Control(id, title, sources, method, notes);
  }

  public static List<Check> all() {
    return List.of(
        new HostCheck(
            control(
                "SR-HOST-FW-01",
                "The host firewall drops inbound traffic by default (nftables input policy drop)",
                Method.MEASURED_FACT,
                "",
                List.of(
                    "seed",
                    "DISA STIG MySQL 8.0: restrict network access",
                    "CIS MySQL Community 8.4: host firewall")),
            e -> {
              Processes.Result r = command(e, List.of("nft", "list", "ruleset"));
              boolean drop =
                  r.exitCode() == 0 && r.stdout().matches("(?s).*hook input.*policy drop;.*");
              return Outcome.of(
                  drop, "an input chain with policy drop", "no input chain with policy drop");
            }),
        new HostCheck(
            control(
                "SR-HOST-F2B-01",
                "fail2ban runs with the database jails",
                Method.MEASURED_FACT,
                "",
                List.of("seed", "DISA STIG MySQL 8.0: limit consecutive failed logins")),
            e -> {
              Processes.Result r = command(e, List.of("fail2ban-client", "status"));
              boolean ok =
                  r.exitCode() == 0
                      && r.stdout().contains("Jail list:")
                      && r.stdout().contains("mariadb");
              return Outcome.of(
                  ok, "fail2ban running with a mariadb jail", "fail2ban: " + r.output().strip());
            }),
        new HostCheck(
            control(
                "SR-HOST-MAC-01",
                "Mandatory access control is enforcing (AppArmor or SELinux)",
                Method.MEASURED_FACT,
                "Debian and Ubuntu use AppArmor; RHEL family SELinux.",
                List.of("seed", "DISA STIG MySQL 8.0: host security controls")),
            e -> {
              String aa = read(e, Path.of("/sys/module/apparmor/parameters/enabled"));
              String se = read(e, Path.of("/sys/fs/selinux/enforce"));
              boolean ok = aa.strip().equals("Y") || se.strip().equals("1");
              return Outcome.of(
                  ok, "apparmor=" + aa.strip() + " selinux=" + se.strip(), "no MAC enforcing");
            }),
        new HostCheck(
            control(
                "SR-HOST-FIPS-01",
                "The kernel runs in FIPS mode (/proc/sys/crypto/fips_enabled = 1)",
                Method.MEASURED_FACT,
                "",
                List.of("DISA STIG MySQL 8.0: FIPS-validated cryptography")),
            e -> {
              String v = read(e, Path.of("/proc/sys/crypto/fips_enabled")).strip();
              return Outcome.of("1".equals(v), "fips_enabled = 1", "fips_enabled = '" + v + "'");
            }));
  }

  private static Processes.Result command(Evidence e, List<String> cmd) {
    Instant t0 = e.now();
    Processes.Result r = Processes.run(cmd, null, Duration.ofSeconds(20));
    e.add("host", String.join(" ", cmd), t0, r.exitCode(), r.output());
    return r;
  }

  private static String read(Evidence e, Path p) throws IOException {
    String v = Files.isReadable(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    e.note("host", "read " + p, Files.isReadable(p) ? v : "(absent)");
    return v;
  }
}
