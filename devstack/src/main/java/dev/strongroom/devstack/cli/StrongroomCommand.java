package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.devstack.demo.Demo;
import dev.strongroom.devstack.stack.StackException;
import dev.strongroom.devstack.stack.StackLauncher;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

/**
 * The Java half of {@code ./strongroom} (the shell script builds, installs packages and runs {@code
 * test}). Human output on stdout, diagnostics on stderr, {@code --json} everywhere. Exit codes
 * (DESIGN §7): 0 success, 1 a check found a problem, 2 usage error, 3 environment or stack not
 * usable.
 */
@Command(
    name = "strongroom",
    mixinStandardHelpOptions = true,
    description = "Operate a local Strongroom stack.",
    subcommands = {
      StrongroomCommand.Up.class,
      BenchCommand.class,
      StrongroomCommand.Down.class,
      StrongroomCommand.Status.class,
      ScaleCommands.Scale.class,
      ScaleCommands.Restart.class,
      StrongroomCommand.DemoCmd.class,
      StrongroomCommand.Token.class,
      TokenKeyCommands.RotateTokenKey.class,
      DataCommands.Put.class,
      DataCommands.Get.class,
      DataCommands.Load.class,
      KekCommands.RotateKek.class,
      ProvisionCommand.class,
      ProofCommands.Prove.class,
      ProofCommands.VerifyBundle.class,
      ProofCommands.SignWaivers.class,
      BackupCommands.Backup.class,
      BackupCommands.Restore.class,
      BackupCommands.Drill.class,
      AuditCommands.VerifyAudit.class,
      AuditCommands.Receipt.class,
      RevokeCommand.class
    })
public final class StrongroomCommand implements Callable<Integer> {
  public static final int OK = 0;
  public static final int PROBLEM = 1;
  public static final int USAGE = 2;
  public static final int UNUSABLE = 3;

  @Option(names = "--json", scope = ScopeType.INHERIT, description = "Machine-readable output.")
  boolean json;

  @Option(
      names = "--home",
      scope = ScopeType.INHERIT,
      hidden = true,
      description = "Repository root.")
  Path home = Path.of(System.getProperty("strongroom.home", "."));

  @Option(
      names = "--state",
      scope = ScopeType.INHERIT,
      hidden = true,
      description = "State directory (default <home>/.strongroom); system tests use a private one.")
  Path stateDir;

  final PrintStream out = System.out;
  final PrintStream err = System.err;

  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new StrongroomCommand());
    cl.setExecutionExceptionHandler(
        (e, cmd, parse) -> {
          if (e instanceof StackException) {
            cmd.getErr().println("strongroom: " + e.getMessage());
            return UNUSABLE;
          }
          cmd.getErr().println("strongroom: unexpected failure: " + e);
          return UNUSABLE;
        });
    System.exit(cl.execute(args));
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(err);
    return USAGE;
  }

  Path state() {
    return stateDir != null
        ? stateDir.toAbsolutePath().normalize()
        : home.toAbsolutePath().normalize().resolve(".strongroom");
  }

  StackLauncher launcher() {
    return new StackLauncher(home, state(), err);
  }

  void printJson(ObjectNode node) {
    out.println(CanonicalJson.canonicalString(node));
  }

  @Command(
      name = "up",
      description = "Start Kafka and the five services; write .strongroom/stack.json.")
  static final class Up implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Override
    public Integer call() throws Exception {
      StackLauncher.UpResult r = root.launcher().up();
      if (root.json) {
        ObjectNode n = CanonicalJson.mapper().createObjectNode();
        n.put("status", r.alreadyUp() ? "already-up" : "up");
        n.put("stackFile", root.launcher().stackFile().toString());
        n.put("seconds", r.took().toMillis() / 1000.0);
        n.set("stack", CanonicalJson.parse(r.stack().toJson()));
        root.printJson(n);
      } else {
        root.out.println(
            r.alreadyUp()
                ? "already up"
                : "up in "
                    + String.format(java.util.Locale.ROOT, "%.1f", r.took().toMillis() / 1000.0)
                    + " s");
        root.out.printf("%-12s %s%n", "kafka", r.stack().kafkaBootstrap());
        r.stack().serviceUrlsByName().forEach((k, v) -> root.out.printf("%-12s %s%n", k, v));
        root.out.printf("%-12s %s%n", "stack.json", root.launcher().stackFile());
      }
      return OK;
    }
  }

  @Command(name = "down", description = "Stop everything 'up' started.")
  static final class Down implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Override
    public Integer call() {
      int n = root.launcher().down();
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("stopped", n);
        root.printJson(o);
      } else {
        root.out.println(n == 0 ? "nothing was running" : "stopped " + n + " processes");
      }
      return OK;
    }
  }

  @Command(name = "status", description = "Health of every part; exit 0 only if all are healthy.")
  static final class Status implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Override
    public Integer call() {
      StackLauncher.StatusReport r = root.launcher().status();
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("healthy", r.healthy());
        ArrayNode parts = o.putArray("parts");
        r.parts()
            .forEach(
                p ->
                    parts
                        .addObject()
                        .put("name", p.name())
                        .put("instance", p.instance())
                        .put("pid", p.pid())
                        .put("address", p.address())
                        .put("healthy", p.healthy())
                        .put("detail", p.detail())
                        .put("rssBytes", p.rssBytes()));
        root.printJson(o);
      } else {
        long total = 0;
        for (StackLauncher.PartStatus p : r.parts()) {
          root.out.printf(
              "%-24s %-5s %-8s %-28s %s%s%n",
              p.instance() == 1 ? p.name() : p.name() + " #" + p.instance(),
              p.healthy() ? "OK" : "DOWN",
              p.pid() > 0 ? Long.toString(p.pid()) : "-",
              p.address(),
              p.detail(),
              p.rssBytes() > 0 ? String.format("  (RSS %d MiB)", p.rssBytes() >> 20) : "");
          total += Math.max(0, p.rssBytes());
        }
        root.out.printf(
            "%s; resident memory %d MiB%n", r.healthy() ? "healthy" : "NOT healthy", total >> 20);
      }
      return r.healthy() ? OK : PROBLEM;
    }
  }

  @Command(
      name = "token",
      description =
          "Print a tenant token from the stack's tenant authority, bound to the application"
              + " identity's certificate (and nothing else).")
  static final class Token implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @CommandLine.Parameters(index = "0", paramLabel = "TENANT", description = "Tenant id.")
    String tenant;

    @Option(names = "--sub", description = "Subject the authority vouches for (default: operator).")
    String subject = "operator";

    @Option(names = "--ttl", description = "Lifetime, at most PT1H (default: PT15M).")
    java.time.Duration ttl = dev.strongroom.contracts.token.TenantTokens.DEFAULT_LIFETIME;

    @Override
    public Integer call() {
      if (tenant.isBlank()
          || ttl.isNegative()
          || ttl.isZero()
          || ttl.compareTo(dev.strongroom.contracts.token.TenantTokens.MAX_LIFETIME) > 0) {
        root.err.println("strongroom: TENANT must not be empty and --ttl must be within (0, PT1H]");
        return USAGE;
      }
      try {
        dev.strongroom.contracts.token.TenantTokens.checkName("TENANT", tenant);
        dev.strongroom.contracts.token.TenantTokens.checkName("--sub", subject);
      } catch (IllegalArgumentException e) {
        root.err.println("strongroom: " + e.getMessage());
        return USAGE;
      }
      Path keyDir = root.state().resolve("keys");
      if (!java.nio.file.Files.exists(root.launcher().stackFile())
          || !java.nio.file.Files.exists(
              keyDir.resolve(dev.strongroom.devstack.keys.DevKeys.TENANT_TOKEN_KEY))) {
        throw new StackException(
            "the stack is not up (no tenant authority key); run ./strongroom up");
      }
      // bound to the certificate that will present it to the crypto-service: the application
      // identity's (docs/tenant-tokens.md)
      String token =
          dev.strongroom.devstack.keys.DevKeys.open(keyDir)
              .tenantTokens(java.time.Clock.systemUTC())
              .issue(tenant, subject, ttl, DataCommands.applicationCertificate(root));
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("token", token);
        root.printJson(o);
      } else {
        root.out.println(token);
      }
      return OK;
    }
  }

  @Command(name = "demo", description = "Run the demo on its own isolated stack, then remove it.")
  static final class DemoCmd implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Override
    public Integer call() throws Exception {
      List<Demo.Step> steps = new Demo(root.home, root.out, root.err).run(!root.json);
      boolean ok = steps.stream().allMatch(Demo.Step::ok);
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("passed", ok);
        ArrayNode arr = o.putArray("steps");
        steps.forEach(
            s ->
                arr.addObject()
                    .put("name", s.name())
                    .put("ok", s.ok())
                    .put("observed", s.observed()));
        root.printJson(o);
      }
      return ok ? OK : PROBLEM;
    }
  }
}
