package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.provisioner.host.BundleFile;
import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.host.InvalidHostOptionException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./strongroom provision --render DIR [options]}: writes the host-hardening bundle for
 * review (docs/ops-plane.md). Exit 0 written, 2 a bad option (named), 3 the directory cannot be
 * written.
 */
@Command(
    name = "provision",
    description =
        "Provision a host. --render DIR writes the host-hardening bundle (firewall, fail2ban,"
            + " systemd units and timers, sysctl, users, modes) for review.")
final class ProvisionCommand implements Callable<Integer> {
  @ParentCommand StrongroomCommand root;

  static final class Mode {
    @Option(
        names = "--render",
        paramLabel = "DIR",
        required = true,
        description = "Write the host bundle and its MANIFEST.tsv under DIR.")
    Path render;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Mode mode;

  @Mixin HostOptionsMixin host;

  @Override
  public Integer call() {
    HostOptions options;
    try {
      options = host.toOptions();
    } catch (InvalidHostOptionException e) {
      root.err.println("strongroom provision: " + e.detail());
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
}
