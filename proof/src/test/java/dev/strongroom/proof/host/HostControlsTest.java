package dev.strongroom.proof.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What SR-HOST-FW-01 and SR-HOST-F2B-01 read out of {@code nft list ruleset} and {@code
 * fail2ban-client status}: the listings are nft 1.0.6's and fail2ban 1.0.2's, as printed on this
 * machine ({@code HostControlsOverSshIT} measures the real ones).
 */
class HostControlsTest {
  /** The bundle's ruleset after a ban, as nft lists it: fail2ban's table comes first. */
  static final String BUNDLE_AND_FAIL2BAN =
      "table inet strongroom {\n"
          + "\tchain input {\n"
          + "\t\ttype filter hook input priority filter; policy drop;\n"
          + "\t\tct state invalid drop\n"
          + "\t}\n\n"
          + "\tchain forward {\n"
          + "\t\ttype filter hook forward priority filter; policy drop;\n"
          + "\t}\n\n"
          + "\tchain output {\n"
          + "\t\ttype filter hook output priority filter; policy accept;\n"
          + "\t}\n"
          + "}\n"
          + "table inet f2b-table {\n"
          + "\tset addr-set-strongroom-db-auth {\n"
          + "\t\ttype ipv4_addr\n"
          + "\t\telements = { 10.250.7.1 }\n"
          + "\t}\n\n"
          + "\tchain f2b-chain {\n"
          + "\t\ttype filter hook input priority filter - 1; policy accept;\n"
          + "\t\ttcp dport 3306 ip saddr @addr-set-strongroom-db-auth reject\n"
          + "\t}\n"
          + "}\n";

  @Test
  void theBundlesRuleset_hasItsInputChainWithPolicyDrop_andFail2bansChainAccepts() {
    assertEquals(
        List.of(
            new HostControls.InputChain("inet", "strongroom", "input", true),
            new HostControls.InputChain("inet", "f2b-table", "f2b-chain", false)),
        HostControls.inputChains(BUNDLE_AND_FAIL2BAN));
  }

  /**
   * The first version matched {@code (?s).*hook input.*policy drop;.*} over the whole listing, so
   * an input chain that accepts everything followed by a forward chain with policy drop passed.
   */
  @Test
  void aForwardDrop_afterAnAcceptingInputChain_isNoInputDrop() {
    String open =
        "table inet filter {\n"
            + "\tchain input {\n"
            + "\t\ttype filter hook input priority filter; policy accept;\n"
            + "\t}\n"
            + "\tchain forward {\n"
            + "\t\ttype filter hook forward priority filter; policy drop;\n"
            + "\t}\n"
            + "}\n";
    assertEquals(
        List.of(new HostControls.InputChain("inet", "filter", "input", false)),
        HostControls.inputChains(open));
    // a chain with no policy printed has the default, accept
    assertEquals(
        List.of(new HostControls.InputChain("ip", "t", "c", false)),
        HostControls.inputChains(
            "table ip t {\n\tchain c {\n\t\ttype filter hook input priority 0;\n\t}\n}\n"));
    assertEquals(List.of(), HostControls.inputChains(""));
  }

  @Test
  void jailList_isReadFromFail2banClientStatus() {
    assertEquals(
        List.of("sshd", "strongroom-db-auth", "strongroom-db-tls"),
        HostControls.jailList(
            "Status\n|- Number of jail:\t3\n`- Jail list:\tsshd, strongroom-db-auth,"
                + " strongroom-db-tls\n"));
    assertEquals(
        List.of(), HostControls.jailList("Status\n|- Number of jail:\t0\n`- Jail list:\t\n"));
  }

  /** A shell whose {@code id -u} answers {@code uid}. */
  private static HostTarget answering(String uid) {
    dev.strongroom.provisioner.host.plan.HostShell shell =
        new dev.strongroom.provisioner.host.plan.HostShell() {
          @Override
          public Result exec(String command, byte[] stdin) {
            return command.equals("id -u")
                ? new Result(0, uid + "\n", "")
                : new Result(127, "", "");
          }

          @Override
          public void close() {}
        };
    return HostTarget.over(
        dev.strongroom.provisioner.host.plan.Target.parse("ssh://strongroom@db1.example:22"),
        java.nio.file.Path.of("/"),
        shell);
  }

  @Test
  void rootOnlyChecks_run_asRoot_andAreNotApplicable_asAnotherAccount() {
    assertEquals(java.util.Optional.empty(), HostControls.needsRoot(answering("0"), "x"));
    assertEquals(
        java.util.Optional.of(
            "reads the ruleset (nft list ruleset) as root, and this prover runs as uid 998 on"
                + " ssh://strongroom@db1.example: its answer would describe the account, not"
                + " the host. The host controls are evidence from a root run: ./strongroom prove"
                + " --host ssh://root@<host> (docs/ops-plane.md)"),
        HostControls.needsRoot(answering("998"), "the ruleset (nft list ruleset)"));
  }
}
