package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.devstack.stack.KekRotation;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rotate-kek} (issue 10): rotates the stack's key-encryption key and rewraps every data key
 * under the new version, without touching a ciphertext; resumable ({@link KekRotation}, which the
 * demo runs too).
 */
final class KekCommands {
  private KekCommands() {}

  @Command(
      name = "rotate-kek",
      description =
          "Rotate the KEK and rewrap every data key under the new version (ciphertext untouched).")
  static final class RotateKek implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Override
    public Integer call() throws Exception {
      KekRotation.Result r = KekRotation.rotate(root.launcher(), root.state(), root.err);
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("keyName", r.keyName());
        o.put("from", r.from());
        o.put("to", r.to());
        o.put("resumed", r.resumed());
        o.put("tenants", r.tenants());
        o.put("rewrapped", r.rewrapped());
        o.put("unchanged", r.unchanged());
        o.put("dataKeys", r.dataKeys());
        o.put("left", r.left());
        o.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
        root.printJson(o);
      } else {
        root.out.printf(
            Locale.ROOT,
            "rotated %s %s -> %s: %d data key(s) of %d tenant(s) rewrapped, %d of %d left under"
                + " an older version (%.1f s)%n",
            r.keyName(),
            r.from(),
            r.to(),
            r.rewrapped(),
            r.tenants(),
            r.left(),
            r.dataKeys(),
            r.seconds());
      }
      return r.left() == 0 ? StrongroomCommand.OK : StrongroomCommand.PROBLEM;
    }
  }
}
