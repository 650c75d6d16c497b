package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.audit.AuditException;
import dev.strongroom.audit.note.CosignatureV1Verifier;
import dev.strongroom.audit.note.Ed25519NoteVerifier;
import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.verify.AuditLogVerifier;
import dev.strongroom.audit.verify.Receipts;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.audit.worm.WormStore;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.devstack.stack.StackDescriptor;
import dev.strongroom.devstack.stack.StackException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code verify-audit} and {@code receipt} (DESIGN §5, §7): the anchored log in the stack's WORM
 * store ({@code stack.json worm.*}) against the log key ({@code audit.verifierKey}) and the
 * database's chain, read as {@code auditor} over TLS 1.3.
 */
final class AuditCommands {
  private AuditCommands() {}

  /** What both commands need from stack.json. */
  private record Audit(StackDescriptor stack, WormStore store, Ed25519NoteVerifier key) {
    AuditorJdbc jdbc() {
      StackDescriptor.Db db =
          stack.db().orElseThrow(() -> new StackException("stack.json has no db part"));
      StackDescriptor.CertKey auditor = db.identities().get("auditor");
      if (auditor == null) {
        throw new StackException("stack.json has no db.identities.auditor");
      }
      return new AuditorJdbc(
          new AuditorJdbc.Config(
              db.host(), db.port(), "auditor", db.caCert(), auditor.cert(), auditor.key()));
    }
  }

  private static Audit open(StrongroomCommand root) throws IOException {
    Path stackFile = root.launcher().stackFile();
    if (!Files.exists(stackFile)) {
      throw new StackException("the stack is not up (no " + stackFile + "); run ./strongroom up");
    }
    StackDescriptor stack = StackDescriptor.fromJson(Files.readAllBytes(stackFile));
    StackDescriptor.Worm worm =
        stack.worm().orElseThrow(() -> new StackException("stack.json has no worm part"));
    StackDescriptor.AuditKey key =
        stack.audit().orElseThrow(() -> new StackException("stack.json has no audit part"));
    if (!worm.kind().equals("local-dir")) {
      throw new StackException(
          "worm.kind " + worm.kind() + ": this command reads local-dir stores only");
    }
    return new Audit(
        stack,
        LocalDirWormStore.open(Path.of(worm.location())),
        Ed25519NoteVerifier.parse(key.verifierKey()));
  }

  @Command(
      name = "verify-audit",
      description =
          "Verify the audit log offline: checkpoint signatures, consistency across every stored"
              + " checkpoint, the tiles re-hashed from the entries, the database's rows re-hashed"
              + " into the entries. Prints OK <events> events, <checkpoints> checkpoints, or"
              + " DIVERGED at seq <n>: <why> (exit 1).")
  static final class VerifyAudit implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Override
    public Integer call() throws IOException {
      Audit a = open(root);
      AuditLogVerifier.Report r;
      try (AuditorJdbc jdbc = a.jdbc();
          Connection c = jdbc.connect()) {
        r = AuditLogVerifier.verify(a.store(), a.key(), c);
      } catch (SQLException e) {
        throw new StackException("cannot read the audit chain as auditor: " + e.getMessage(), e);
      }
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("ok", r.ok());
        o.put("events", r.events());
        o.put("checkpoints", r.checkpoints());
        o.put("anchored", r.anchored());
        if (!r.ok()) {
          o.put("divergedAt", r.divergedAt());
          o.put("why", r.why());
        }
        root.printJson(o);
      } else {
        root.out.println(r.line());
      }
      return r.ok() ? StrongroomCommand.OK : StrongroomCommand.PROBLEM;
    }
  }

  @Command(
      name = "receipt",
      description =
          "Print, for each audit event of a record, a C2SP tlog-proof against the newest anchored"
              + " checkpoint the witness cosigned (its cosignature lines kept on the note; the"
              + " newest one if none is), verified with the log key and the stack's witness key"
              + " before it is printed; --out DIR writes <seq>.tlog-proof files.")
  static final class Receipt implements Callable<Integer> {
    @ParentCommand StrongroomCommand root;

    @Parameters(index = "0", paramLabel = "RECORD_ID", description = "The record's id (UUID).")
    String recordId;

    @Option(names = "--out", paramLabel = "DIR", description = "Write each proof to DIR.")
    Path out;

    @Override
    public Integer call() throws IOException {
      if (!recordId.matches("[0-9a-fA-F-]{36}")) {
        root.err.println("strongroom: not a record id: " + recordId);
        return StrongroomCommand.USAGE;
      }
      Audit a = open(root);
      // the stack's witness: its cosignatures on the receipts' checkpoint are checked and named
      List<CosignatureV1Verifier> witnesses =
          root.launcher().witness().stream()
              .map(w -> CosignatureV1Verifier.parse(w.verifierKey()))
              .toList();
      List<Receipts.Receipt> receipts;
      try (AuditorJdbc jdbc = a.jdbc();
          Connection c = jdbc.connect()) {
        receipts = Receipts.forRecord(a.store(), a.key(), witnesses, c, recordId);
      } catch (SQLException e) {
        throw new StackException("cannot read the audit chain as auditor: " + e.getMessage(), e);
      } catch (AuditException e) {
        root.err.println("strongroom: " + e.getMessage());
        return StrongroomCommand.PROBLEM;
      }
      if (receipts.isEmpty()) {
        root.err.println("strongroom: no audit event names record " + recordId);
        return StrongroomCommand.PROBLEM;
      }
      if (out != null) {
        Files.createDirectories(out);
        for (Receipts.Receipt r : receipts) {
          Files.write(out.resolve(r.seq() + ".tlog-proof"), r.proof().encode());
        }
      }
      if (root.json) {
        ObjectNode o = CanonicalJson.mapper().createObjectNode();
        o.put("recordId", recordId);
        o.put("verifierKey", a.key().name());
        ArrayNode arr = o.putArray("receipts");
        for (Receipts.Receipt r : receipts) {
          arr.addObject()
              .put("seq", r.seq())
              .put("table", r.table())
              .put("operation", r.operation())
              .put("currHash", r.currHash())
              .put("tlogProof", new String(r.proof().encode(), StandardCharsets.UTF_8))
              .set("cosignedBy", CanonicalJson.mapper().valueToTree(r.cosignedBy()));
        }
        root.printJson(o);
      } else {
        for (Receipts.Receipt r : receipts) {
          root.out.println(
              "# seq "
                  + r.seq()
                  + " "
                  + r.operation()
                  + " "
                  + r.table()
                  + " curr_hash "
                  + r.currHash()
                  + " (verified against the log key"
                  + (r.cosignedBy().isEmpty()
                      ? "; no witness cosignature on its checkpoint yet"
                      : " and cosigned by " + String.join(", ", r.cosignedBy()))
                  + ")");
          root.out.print(new String(r.proof().encode(), StandardCharsets.UTF_8));
          root.out.println();
        }
      }
      return StrongroomCommand.OK;
    }
  }
}
