package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.devstack.stack.ServiceModule;
import dev.strongroom.devstack.stack.StackLauncher;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code scale SERVICE=N} and {@code restart SERVICE} (DESIGN §7): instances of a service on its
 * consumer group, started and stopped by the stack launcher. The arguments are checked before the
 * stack is consulted, so a bad one is a usage error (exit 2) on a stack that is down too.
 */
final class ScaleCommands {
  private ScaleCommands() {}

  /** The service named by its {@code stack.json} key or its module, if any. */
  static Optional<ServiceModule> service(String name) {
    return Arrays.stream(ServiceModule.values())
        .filter(s -> s.key().equals(name) || s.module().equals(name))
        .findFirst();
  }

  static String known() {
    return Arrays.stream(ServiceModule.values())
        .map(ServiceModule::key)
        .collect(Collectors.joining(", "));
  }

  private static void instances(ArrayNode arr, List<StackLauncher.Instance> instances) {
    instances.forEach(
        i ->
            arr.addObject()
                .put("instance", i.number())
                .put("pid", i.pid())
                .put("address", i.address()));
  }

  @Command(
      name = "scale",
      description =
          "Run N instances of a service on its consumer group (crypto, data: 1..8; the others: 1).")
  static final class Scale implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Parameters(index = "0", paramLabel = "SERVICE=N", description = "e.g. data=2")
    String spec;

    @Override
    public Integer call() {
      int eq = spec.indexOf('=');
      if (eq <= 0) {
        root.err.println("strongroom: expected SERVICE=N (e.g. data=2), not '" + spec + "'");
        return StrongroomCommand.USAGE;
      }
      Optional<ServiceModule> s = service(spec.substring(0, eq));
      if (s.isEmpty()) {
        root.err.println(
            "strongroom: unknown service '" + spec.substring(0, eq) + "' (one of " + known() + ")");
        return StrongroomCommand.USAGE;
      }
      String count = spec.substring(eq + 1);
      int n;
      try {
        if (!count.matches("[0-9]{1,3}")) {
          throw new NumberFormatException();
        }
        n = Integer.parseInt(count);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 1 || n > StackLauncher.MAX_INSTANCES) {
        root.err.println(
            "strongroom: N must be a whole number from 1 to "
                + StackLauncher.MAX_INSTANCES
                + ", not '"
                + count
                + "'");
        return StrongroomCommand.USAGE;
      }
      if (n > 1 && !StackLauncher.scalable(s.get())) {
        root.err.println(
            "strongroom: "
                + s.get().key()
                + " runs one instance: only crypto and data are stateless consumers that scale"
                + " (DESIGN §2)");
        return StrongroomCommand.USAGE;
      }
      StackLauncher.ScaleResult r = root.launcher().scale(s.get(), n);
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("service", s.get().key());
        o.put("before", r.before().size());
        o.put("instances", r.after().size());
        o.put("seconds", r.took().toMillis() / 1000.0);
        instances(o.putArray("running"), r.after());
        root.printJson(o);
      } else {
        root.out.printf(
            Locale.ROOT,
            "%s: %d -> %d instances in %.1f s%n",
            s.get().key(),
            r.before().size(),
            r.after().size(),
            r.took().toMillis() / 1000.0);
        r.after()
            .forEach(i -> root.out.printf("  #%d pid %d %s%n", i.number(), i.pid(), i.address()));
      }
      return StrongroomCommand.OK;
    }
  }

  @Command(
      name = "restart",
      description =
          "Restart every instance of a service, one after another (rolling), or the Kafka broker"
              + " on its port and log directory.")
  static final class Restart implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "kafka, crypto, data, audit, …")
    String name;

    @Override
    public Integer call() {
      Optional<ServiceModule> s = service(name);
      if (s.isEmpty() && !name.equals("kafka")) {
        root.err.println("strongroom: unknown part '" + name + "' (one of kafka, " + known() + ")");
        return StrongroomCommand.USAGE;
      }
      String key = s.map(ServiceModule::key).orElse("kafka");
      List<StackLauncher.Restarted> r =
          s.isPresent()
              ? root.launcher().restart(s.get())
              : List.of(root.launcher().restartKafka());
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("service", key);
        ArrayNode arr = o.putArray("restarted");
        r.forEach(
            x ->
                arr.addObject()
                    .put("instance", x.instance())
                    .put("oldPid", x.oldPid())
                    .put("pid", x.newPid())
                    .put("seconds", x.took().toMillis() / 1000.0));
        root.printJson(o);
      } else {
        r.forEach(
            x ->
                root.out.printf(
                    Locale.ROOT,
                    "%s #%d: pid %d -> %d in %.1f s%n",
                    key,
                    x.instance(),
                    x.oldPid(),
                    x.newPid(),
                    x.took().toMillis() / 1000.0));
      }
      return StrongroomCommand.OK;
    }
  }
}
