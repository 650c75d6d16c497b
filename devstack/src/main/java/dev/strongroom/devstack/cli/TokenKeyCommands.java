package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.token.TenantTokenKeys;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.stack.StackDescriptor;
import dev.strongroom.devstack.stack.StackException;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbClient;
import dev.strongroom.provisioner.schema.SchemaInstaller;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rotate-token-key}: rotates the tenant authority's HMAC key on a running stack with no
 * downtime (docs/runbook-rotation.md). Two keys verify during a rotation, in Java and in SQL.
 *
 * <ol>
 *   <li>{@code rotate-token-key}: a new key becomes the issuing key; the old one keeps verifying
 *       until its {@code verifyUntil} (now + the longest token lifetime + the clock skew), when
 *       every token it signed has expired. The database learns the new key first (it verifies both,
 *       every binding stays), then the key file is replaced atomically: issuers sign with the new
 *       key from their next token, the crypto- and proof-service pick the file up at their next
 *       verification. No restart, no refused request.
 *   <li>{@code rotate-token-key --retire}: once {@code verifyUntil} has passed, the old key is
 *       removed from the file and the database (until then both refuse its tokens as {@code
 *       SR-TOKEN-KEY} anyway). Before then it refuses (exit 1) and says when.
 *   <li>{@code rotate-token-key --retire --now}: a compromised key: every key but the issuing one
 *       is removed at once; its live tokens stop working and its database bindings end.
 * </ol>
 *
 * Exit codes: 0 done, 1 refused (a rotation still in progress, nothing to retire yet), 2 usage, 3
 * no stack.
 */
final class TokenKeyCommands {
  private TokenKeyCommands() {}

  @Command(
      name = "rotate-token-key",
      description =
          "Rotate the tenant-token key without downtime: add a new issuing key (the old one"
              + " verifies until its tokens have expired); --retire removes it afterwards.")
  static final class RotateTokenKey implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Option(
        names = "--retire",
        description =
            "Remove the keys that no longer verify (the previous key, once its tokens have"
                + " expired).")
    boolean retire;

    @Option(
        names = "--now",
        description =
            "With --retire: remove every key but the issuing one at once (a compromised key; its"
                + " live tokens stop working).")
    boolean now;

    @Override
    public Integer call() throws Exception {
      if (now && !retire) {
        root.err.println("strongroom: --now goes with --retire");
        return StrongroomCommand.USAGE;
      }
      if (!Files.exists(root.launcher().stackFile())) {
        throw new StackException("the stack is not up; run ./strongroom up");
      }
      StackDescriptor stack =
          StackDescriptor.fromJson(Files.readAllBytes(root.launcher().stackFile()));
      StackDescriptor.Db db =
          stack.db().orElseThrow(() -> new StackException("the stack has no database"));
      DevKeys keys = DevKeys.open(root.state().resolve("keys"));
      if (!Files.exists(keys.tenantTokenKeyFile())) {
        throw new StackException("the stack has no tenant-token key file");
      }
      TenantTokenKeys before = keys.tenantTokenKeys();
      Instant at = Instant.now();
      MariaDbClient client = new MariaDbClient(MariaDbBinaries.debian().client());
      ClientConnection installer =
          ClientConnection.socket(db.socket(), System.getProperty("user.name"));
      return retire
          ? retire(before, at, keys, client, installer)
          : rotate(before, at, keys, client, installer);
    }

    private int rotate(
        TenantTokenKeys before,
        Instant at,
        DevKeys keys,
        MariaDbClient client,
        ClientConnection installer) {
      // keys whose time is up are dead already: a new rotation drops them; a live one means the
      // previous rotation is still in progress (a third key would let tokens of two old keys live)
      TenantTokenKeys current = before.retire(at, false);
      List<TenantTokenKeys.Key> live =
          current.keys().stream().filter(k -> k.verifyUntil().isPresent()).toList();
      if (!live.isEmpty()) {
        TenantTokenKeys.Key k = live.get(0);
        return refuse(
            "a rotation is in progress: key "
                + k.kid()
                + " verifies until "
                + k.verifyUntil().orElseThrow()
                + "; run rotate-token-key --retire after that (or --retire --now)");
      }
      TenantTokenKeys after = current.rotate(TenantTokens.generateKey(), at);
      // the database first: from here on it verifies both keys, and no binding ends
      SchemaInstaller.syncTokenKeys(client, installer, after);
      // then the file (atomically): issuers sign with the new key from their next token
      keys.writeTenantTokenKeys(after);
      TenantTokenKeys.Key old = after.key(before.issuing().kid()).orElseThrow();
      return report("rotated", after, List.of(old), removed(before, after));
    }

    private int retire(
        TenantTokenKeys before,
        Instant at,
        DevKeys keys,
        MariaDbClient client,
        ClientConnection installer) {
      List<TenantTokenKeys.Key> going = before.retirable(at, now);
      if (going.isEmpty()) {
        List<TenantTokenKeys.Key> waiting =
            before.keys().stream().filter(k -> k.verifyUntil().isPresent()).toList();
        if (waiting.isEmpty()) {
          return refuse("nothing to retire: only the issuing key " + before.issuing().kid());
        }
        TenantTokenKeys.Key k = waiting.get(0);
        return refuse(
            "key "
                + k.kid()
                + " verifies until "
                + k.verifyUntil().orElseThrow()
                + " (tokens it signed may still be live); retire after that, or --retire --now"
                + " to cut them off");
      }
      TenantTokenKeys after = before.retire(at, now);
      // verifiers first (the file), then the database, which also ends the bindings of the key
      keys.writeTenantTokenKeys(after);
      SchemaInstaller.syncTokenKeys(client, installer, after);
      return report(
          "retired",
          after,
          after.keys().stream().filter(k -> k.verifyUntil().isPresent()).toList(),
          going.stream().map(TenantTokenKeys.Key::kid).toList());
    }

    private static List<String> removed(TenantTokenKeys before, TenantTokenKeys after) {
      return before.keys().stream()
          .map(TenantTokenKeys.Key::kid)
          .filter(kid -> after.key(kid).isEmpty())
          .toList();
    }

    private int refuse(String why) {
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("refused", why);
        root.printJson(o);
      }
      root.err.println("strongroom: " + why);
      return StrongroomCommand.PROBLEM;
    }

    private int report(
        String action,
        TenantTokenKeys after,
        List<TenantTokenKeys.Key> retiring,
        List<String> retired) {
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("action", action);
        o.put("issuing", after.issuing().kid());
        o.put("audience", after.audience());
        ArrayNode r = o.putArray("verifying");
        for (TenantTokenKeys.Key k : retiring) {
          r.addObject()
              .put("kid", k.kid())
              .put("verifyUntil", k.verifyUntil().orElseThrow().toString());
        }
        ArrayNode gone = o.putArray("retired");
        retired.forEach(gone::add);
        root.printJson(o);
      } else {
        root.out.println(action + ": issuing key " + after.issuing().kid());
        for (TenantTokenKeys.Key k : retiring) {
          root.out.println(
              "previous key "
                  + k.kid()
                  + " verifies until "
                  + k.verifyUntil().orElseThrow()
                  + "; then run: ./strongroom rotate-token-key --retire");
        }
        for (String kid : retired) {
          root.out.println("retired key " + kid);
        }
      }
      return StrongroomCommand.OK;
    }
  }
}
