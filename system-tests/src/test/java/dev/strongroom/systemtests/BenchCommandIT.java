package dev.strongroom.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./strongroom bench} against a stack {@code up} started, as an operator runs it (issue 13):
 * all three phases store records and lose none, the JSON has the two ratios where the issue puts
 * them, the report and the chart are written, and the settings it states are the stack's.
 */
@Tag("slow")
class BenchCommandIT {
  @TempDir Path state;

  @Test
  void benchAgainstUp_measuresAllThreePhasesAndLosesNothing() throws Exception {
    Cli.Result up = Cli.run(state, "up");
    assertEquals(0, up.exit(), up.err());
    try {
      assertEquals(2, Cli.run(state, "bench", "--duration", "PT1S").exit(), "too short: usage");

      Cli.Result bench =
          Cli.run(state, "bench", "--duration", "PT21S", "--warmup", "PT2S", "--json");
      assertEquals(0, bench.exit(), bench.err() + bench.out());
      JsonNode r = bench.json();
      assertEquals(2.0, r.at("/settings/warmupSecondsPerPhase").asDouble(), r.toString());
      assertTrue(bench.err().contains("pipeline  warm-up, not measured, for 2 s"), bench.err());
      for (String phase : List.of("ceiling", "direct", "pipeline")) {
        JsonNode p = r.at("/phases/" + phase);
        assertTrue(p.get("records").asLong() > 0, phase + " stored records: " + p);
        assertEquals(0, p.get("failures").asLong(), phase + ": " + p);
        assertTrue(p.get("p99Ms").asDouble() >= p.get("p50Ms").asDouble(), phase + ": " + p);
      }
      double toCeiling = r.at("/ratios/pipelineToCeiling").asDouble();
      double toDirect = r.at("/ratios/pipelineToDirect").asDouble();
      assertTrue(toCeiling > 0 && toDirect > 0, r.get("ratios").toString());
      assertEquals(
          r.at("/phases/pipeline/recordsPerSecond").asDouble()
              / r.at("/phases/ceiling/recordsPerSecond").asDouble(),
          toCeiling,
          0.01);
      assertEquals(30.0, r.at("/settings/kmsLatencyMs").asDouble(), 0.001, "the stack's KMS");
      assertEquals(
          List.of(
              "ceiling", "direct", "pipeline", "pipeline", "direct", "ceiling", "pipeline@half"),
          toList(r.at("/settings/order")));
      assertTrue(r.at("/durability/innodb_flush_log_at_trx_commit").isTextual());
      assertTrue(Files.size(Path.of(r.get("report").asText())) > 0, "JSON report written");
      assertTrue(Files.size(Path.of(r.get("chart").asText())) > 1000, "PNG chart written");
      // the direct path pays one 30 ms KMS round trip per record: its p50 cannot be below it
      assertTrue(r.at("/phases/direct/p50Ms").asDouble() >= 30, r.at("/phases/direct").toString());
    } finally {
      Cli.run(state, "down");
    }
  }

  private static List<String> toList(JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
