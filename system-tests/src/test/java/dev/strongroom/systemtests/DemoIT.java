package dev.strongroom.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo}: passes on its own isolated stack, never touches the operator's state, removes
 * itself.
 */
class DemoIT {
  @TempDir Path operatorState;

  private static Set<String> demoDirs() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("strongroom-demo-"))
          .collect(Collectors.toSet());
    }
  }

  @Test
  void demo_passesEveryStep_onAnIsolatedStack_andLeavesNothingBehind() throws Exception {
    Path marker = Files.writeString(operatorState.resolve("stack.json"), "{\"version\":1}");
    Set<String> before = demoDirs();

    Cli.Result r = Cli.run(operatorState, "demo", "--json");
    assertEquals(0, r.exit(), r.out() + r.err());
    JsonNode result = r.json();
    assertTrue(result.get("passed").asBoolean(), r.out());
    List<String> names = result.findValuesAsText("name");
    assertEquals(27, names.size(), r.out());
    for (JsonNode step : result.get("steps")) {
      assertTrue(step.get("ok").asBoolean(), step.toString());
    }
    assertTrue(result.toString().contains("SIGNATURE_INVALID: signature does not verify"));
    assertTrue(result.toString().contains("REPLAY: event id"));
    assertTrue(result.toString().contains("TLSv1.3"), "the database part ran");
    assertTrue(result.toString().contains("SR-NO-TENANT"), "the proc-only part ran");
    assertTrue(
        result.toString().contains("DELETE command denied to user 'auditor'"),
        "audit history is not the auditor's to delete");
    assertTrue(result.toString().contains("name=Alice Example"), "the client-plane part ran");
    assertTrue(result.toString().contains("STORED (one row"), "the data-service stored the record");
    assertTrue(
        result
            .toString()
            .contains(
                "401 UNAUTHORIZED: SR-TOKEN-CNF: token is bound to another client certificate"),
        "a token taken off the topic is useless with another certificate");
    // TLS 1.3: the broker's certificate_required alert reaches the client after its own side of the
    // handshake is done, or (rarely) during it
    assertTrue(
        result
            .toString()
            .matches(
                "(?s).*SslAuthenticationException: (Failed to process post-handshake messages|SSL"
                    + " handshake failed).*"),
        "no certificate, no Kafka: " + r.out());
    assertTrue(
        result
            .toString()
            .contains(
                "GroupAuthorizationException: Not authorized to access group: crypto-service"),
        "a stranger cannot join the crypto-service's group");
    assertTrue(
        result
            .toString()
            .matches("(?s).*on the audit chain as event [0-9]+, sealed at seq [0-9]+.*"),
        "the bundle's digest is chained");
    assertTrue(
        names.contains("a checkpoint anchored and cosigned by the witness"), "the audit part ran");
    assertTrue(
        result
            .toString()
            .contains("cosigned by witness.strongroom.local/devstack (cosignature/v1)"),
        r.out());
    assertTrue(
        result.toString().contains("2 instances; restarted #1 "),
        "the data plane scaled and restarted");
    assertTrue(result.toString().contains("none lost, none doubled"), r.out());
    assertTrue(
        names.contains("rotate-kek, then acme's record stored before it reads back"),
        "the KEK rotation ran");
    for (JsonNode step : result.get("steps")) {
      if (step.get("name").asText().startsWith("rotate-kek")) {
        System.out.println("demo: " + step.get("name").asText() + ": " + step.get("observed"));
      }
    }
    assertTrue(
        result
            .toString()
            .matches(
                "(?s).*strongroom-dev-kek 1 -> 2: [0-9]+ data keys of [0-9]+ tenants rewrapped in"
                    + " [0-9.]+ s, no ciphertext touched; the record's key now under 2,"
                    + " name=Alice Example.*"),
        r.out());
    assertEquals(
        "prove: every control passes or is not-applicable",
        names.get(names.size() - 1),
        "the demo ends with prove");

    assertEquals("{\"version\":1}", Files.readString(marker), "the operator's state is untouched");
    // no demo directory that was not there before (another checkout's demo may come and go
    // meanwhile on a shared machine)
    Set<String> left = new java.util.HashSet<>(demoDirs());
    left.removeAll(before);
    assertEquals(Set.of(), left, "the demo removed its state directory");
  }
}
