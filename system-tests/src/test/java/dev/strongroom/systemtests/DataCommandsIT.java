package dev.strongroom.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code put}, {@code get} and {@code load} on a stack {@code up} started, as an operator runs them
 * (DESIGN §7, issue 10): the record id is the last line of {@code put}; {@code get} prints the
 * fields back for the tenant and records the read in the audit chain; another tenant gets exit 1
 * and the refusal; a put with another tenant's token is answered REJECTED {@code SR-TOKEN-TENANT}
 * by the crypto-service at once, and a field over the limit is refused before anything is
 * published; an application retry is DUPLICATE, not a second row; {@code load} stores every record
 * of several tenants exactly once and prints its figures.
 */
@Tag("slow") // one stack up and ten commands: 11 min on the shared 2-core machine at load 20
class DataCommandsIT {
  @TempDir Path state;

  @Test
  void putGetLoad_onAStackUpStarted() throws Exception {
    Cli.Result up = Cli.run(state, "up");
    assertEquals(0, up.exit(), up.err());
    try {
      JsonNode stack = CanonicalJson.parse(Files.readAllBytes(state.resolve("stack.json")));

      Cli.Result put =
          Cli.run(
              state,
              "put",
              "--tenant",
              "acme",
              "--field",
              "name=Ada Lovelace",
              "--field",
              "role=analyst",
              "email=ada@acme.example",
              "phone=+44 20 7946 0001");
      assertEquals(0, put.exit(), put.err() + put.out());
      List<String> lines = put.out().lines().toList();
      String recordId = lines.get(lines.size() - 1);
      assertTrue(
          recordId.matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"),
          recordId);

      Cli.Result get = Cli.run(state, "get", "--tenant", "acme", recordId);
      assertEquals(0, get.exit(), get.err());
      assertEquals(
          List.of(
              "name=Ada Lovelace",
              "role=analyst",
              "email=ada@acme.example",
              "phone=+44 20 7946 0001"),
          get.out().lines().toList());
      assertEquals(
          "1",
          root(
              stack,
              "SELECT COUNT(*) FROM strongroom.record_decrypts WHERE record_id = '"
                  + recordId
                  + "' AND reader = 'operator'"));
      assertEquals(
          "1",
          root(
              stack,
              "SELECT COUNT(*) FROM strongroom_audit.audit_events WHERE table_name ="
                  + " 'record_decrypts' AND after_image LIKE '%"
                  + recordId
                  + "%'"),
          "the decrypt is an event of the audit chain");

      Cli.Result other = Cli.run(state, "get", "--tenant", "globex", recordId);
      assertEquals(1, other.exit(), other.out());
      assertTrue(other.err().contains("refused: SR-CROSS-TENANT"), other.err());
      assertEquals(
          "1",
          root(
              stack,
              "SELECT COUNT(*) FROM strongroom.record_decrypts WHERE record_id = '"
                  + recordId
                  + "'"),
          "a refused read is not a decrypt");

      assertEquals(
          2,
          Cli.run(state, "put", "--tenant", "acme", "--field", "name=A", "--field", "ssn=1").exit(),
          "an unknown field is a usage error");

      // A field over the limit is refused before anything is sealed or published.
      Cli.Result oversized =
          Cli.run(
              state,
              "put",
              "--tenant",
              "acme",
              "--request-id",
              "oversized-1",
              "--field",
              "name=" + "x".repeat(65_487));
      assertEquals(2, oversized.exit(), oversized.err());
      assertTrue(
          oversized
              .err()
              .contains(
                  "SR-FIELD-TOO-LARGE: field name is 65487 bytes of UTF-8; each field is at most"
                      + " 65486 bytes"),
          oversized.err());

      // Another tenant's token: the crypto-service refuses it and answers at once (issue 10),
      // REJECTED with the code, well inside the 60 s put would otherwise wait; nothing is stored.
      Cli.Result globexToken = Cli.run(state, "token", "globex");
      assertEquals(0, globexToken.exit(), globexToken.err());
      // handed over in a file, never on a command line where ps would show it
      Path tokenFile = Files.createTempFile(state, "globex-token", ".txt");
      Files.writeString(tokenFile, globexToken.out());
      Cli.Result both =
          Cli.run(
              state,
              "put",
              "--tenant",
              "acme",
              "--token",
              globexToken.out().trim(),
              "--token-file",
              tokenFile.toString(),
              "--field",
              "name=Eve Mallory");
      assertEquals(2, both.exit(), both.err());
      assertTrue(
          both.err().contains("strongroom: give --token or --token-file, not both"), both.err());
      long t0 = System.nanoTime();
      Cli.Result refused =
          Cli.run(
              state,
              "put",
              "--tenant",
              "acme",
              "--token-file",
              tokenFile.toString(),
              "--request-id",
              "refused-1",
              "--timeout",
              "PT60S",
              "--field",
              "name=Eve Mallory");
      double refusedSeconds = (System.nanoTime() - t0) / 1e9;
      // REJECTED with the code can only come from the crypto-service's answer (a put nobody
      // answers ends "no result within PT60S"); the time is reported, not asserted: a loaded
      // machine spends most of it starting the command's JVM
      assertEquals(1, refused.exit(), refused.out() + refused.err());
      assertTrue(
          refused.err().contains("strongroom: REJECTED SR-TOKEN-TENANT"),
          "after " + refusedSeconds + " s: " + refused.err());
      assertFalse(refused.err().contains("no result"), refused.err());
      assertEquals(
          "0",
          root(
              stack,
              "SELECT COUNT(*) FROM strongroom.users WHERE request_id IN ('refused-1',"
                  + " 'oversized-1')"));

      Cli.Result first =
          Cli.run(
              state,
              "put",
              "--json",
              "--tenant",
              "acme",
              "--request-id",
              "retry-1",
              "--field",
              "name=Grace Hopper");
      assertEquals("STORED", first.json().get("status").asText(), first.out() + first.err());
      String firstRecord = first.json().get("recordId").asText();
      Cli.Result retry =
          Cli.run(
              state,
              "put",
              "--json",
              "--tenant",
              "acme",
              "--request-id",
              "retry-1",
              "--record-id",
              firstRecord,
              "--field",
              "name=Grace Hopper");
      assertEquals("DUPLICATE", retry.json().get("status").asText(), retry.out() + retry.err());
      assertEquals(firstRecord, retry.json().get("recordId").asText());
      // the same request id for another record is not a retry: its record is not stored, and
      // DUPLICATE would say it is (docs/data-plane.md)
      Cli.Result otherRecord =
          Cli.run(
              state,
              "put",
              "--json",
              "--tenant",
              "acme",
              "--request-id",
              "retry-1",
              "--field",
              "name=Grace Hopper");
      assertEquals(1, otherRecord.exit(), otherRecord.out() + otherRecord.err());
      assertEquals(
          "REJECTED",
          otherRecord.json().get("status").asText(),
          otherRecord.out() + otherRecord.err());
      assertEquals("SR-REQUEST-EXISTS", otherRecord.json().get("errorCode").asText());
      assertEquals(
          "1", root(stack, "SELECT COUNT(*) FROM strongroom.users WHERE request_id = 'retry-1'"));

      Cli.Result load =
          Cli.run(
              state, "load", "--json", "--tenant", "load", "--records", "300", "--tenants", "3");
      assertEquals(0, load.exit(), load.err() + load.out());
      JsonNode f = load.json();
      assertEquals(300, f.get("records").asLong());
      assertEquals(300, f.get("stored").asLong(), f.toString());
      assertEquals(0, f.get("duplicate").asLong(), f.toString());
      assertEquals(0, f.get("rejected").asLong(), f.toString());
      assertEquals(0, f.get("missing").asLong(), f.toString());
      assertTrue(f.get("recordsPerSecond").asDouble() > 0, f.toString());
      assertTrue(f.get("p99Ms").asDouble() >= f.get("p50Ms").asDouble(), f.toString());
      assertEquals(
          "300",
          root(
              stack,
              "SELECT COUNT(*) FROM strongroom.users WHERE tenant_id IN ('load-1', 'load-2',"
                  + " 'load-3')"),
          "exactly one row per record");
      assertEquals(
          "100", root(stack, "SELECT COUNT(*) FROM strongroom.users WHERE tenant_id = 'load-2'"));
    } finally {
      Cli.run(state, "down");
    }
  }

  /** A query as the installer (root over the local socket only, DESIGN §4). */
  private static String root(JsonNode stack, String sql) throws Exception {
    Cli.Result r =
        Cli.exec(
            List.of(
                "mariadb",
                "--socket=" + stack.at("/db/socket").asText(),
                "-u",
                "root",
                "-N",
                "-e",
                sql),
            30);
    assertEquals(0, r.exit(), r.err());
    return r.out().trim();
  }
}
