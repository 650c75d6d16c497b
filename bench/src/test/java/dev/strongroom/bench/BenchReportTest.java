package dev.strongroom.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
  @TempDir Path dir;

  static PhaseResult slot(
      String name, long records, double seconds, long latencyMicros, double rate) {
    Histogram h = new Histogram(3);
    for (int i = 0; i < records; i++) {
      h.recordValue(latencyMicros);
    }
    return new PhaseResult(
        name,
        records,
        records,
        0,
        Optional.empty(),
        seconds,
        h,
        List.of(new PhaseResult.Second(0, records, latencyMicros / 1000.0, latencyMicros / 1000.0)),
        rate);
  }

  static BenchReport report() {
    return report(List.of());
  }

  static BenchReport report(List<PhaseResult> warmups) {
    BenchSettings s = new BenchSettings(Duration.ofSeconds(70), 8, 512, 8, Duration.ofMillis(30));
    List<PhaseResult> slots =
        List.of(
            slot("ceiling", 1000, 10, 8_000, 0),
            slot("direct", 200, 10, 40_000, 0),
            slot("pipeline", 900, 10, 90_000, 0),
            slot("pipeline", 700, 10, 110_000, 0),
            slot("direct", 200, 10, 40_000, 0),
            slot("ceiling", 1000, 10, 8_000, 0));
    Map<String, PhaseResult> sums = new LinkedHashMap<>();
    slots.forEach(x -> sums.merge(x.name(), x, PhaseResult::plus));
    return new BenchReport(
        s,
        Instant.parse("2026-12-04T10:00:00Z"),
        Map.of("sync_binlog", "1"),
        sums,
        slots,
        slot("pipeline", 400, 10, 60_000, 40),
        warmups);
  }

  @Test
  void aRecordLostInTheWarmUp_failsTheRun_thoughItIsNotMeasured() {
    PhaseResult lost =
        new PhaseResult(
            "pipeline",
            99,
            98,
            1,
            Optional.of("request bench-x-1: no result"),
            5,
            new Histogram(3),
            List.of(),
            0);
    BenchReport r = report(List.of(slot("ceiling", 500, 5, 8_000, 0), lost));
    assertEquals(1, r.failures());
    assertEquals(1, r.toJson().get("failures").asLong());
    assertTrue(r.toText().contains("FAILED records: 1"), r.toText());
    // the warm-up is not in the measured figures
    assertEquals(80.0, r.toJson().at("/phases/pipeline/recordsPerSecond").asDouble(), 1e-9);
    assertEquals(5.0, r.toJson().at("/settings/warmupSecondsPerPhase").asDouble(), 1e-9);
  }

  @Test
  void ratiosAreThroughputsOfTheSummedSlots_whereTheIssuePutsThem() {
    JsonNode j = report().toJson();
    assertEquals(100.0, j.at("/phases/ceiling/recordsPerSecond").asDouble(), 1e-9);
    assertEquals(20.0, j.at("/phases/direct/recordsPerSecond").asDouble(), 1e-9);
    assertEquals(80.0, j.at("/phases/pipeline/recordsPerSecond").asDouble(), 1e-9);
    assertEquals(0.8, j.at("/ratios/pipelineToCeiling").asDouble(), 1e-9);
    assertEquals(4.0, j.at("/ratios/pipelineToDirect").asDouble(), 1e-9);
    assertTrue(j.at("/goals/pipelineToCeiling/met").asBoolean(), "0.8 meets >= 0.8");
    assertFalse(j.at("/goals/pipelineToDirect/met").asBoolean(), "4 misses >= 5");
    assertTrue(j.at("/goals/p99AtHalfLoadMs/met").asBoolean(), "60 ms < 250 ms");
    assertEquals(30.0, j.at("/settings/kmsLatencyMs").asDouble(), 1e-9);
    assertEquals(84, Records.plaintextBytes());
    assertEquals("1", j.at("/durability/sync_binlog").asText());
    assertEquals(6, j.get("slots").size());
    assertEquals(0, j.get("failures").asLong());
    String text = report().toText();
    assertTrue(text.contains("pipeline / ceiling = 0.80 (goal >= 0.8: met)"), text);
    assertTrue(text.contains("pipeline / direct  = 4.00 (goal >= 5.0: NOT met)"), text);
  }

  @Test
  void slotsOfDifferentPhasesDoNotAdd() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> slot("ceiling", 1, 1, 1, 0).plus(slot("direct", 1, 1, 1, 0)));
    assertEquals("cannot add direct to ceiling", e.getMessage());
  }

  @Test
  void theChartIsAPngWithBothPanels() throws Exception {
    Path png = dir.resolve("b.png");
    BenchChart.write(report(), png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(1000, img.getWidth());
    assertEquals(840, img.getHeight());
  }

  @Test
  void settingsOutOfRange_areRefusedWithTheirLimits() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new BenchSettings(Duration.ofSeconds(1), 8, 512, 8, Duration.ZERO));
    assertEquals("duration must be 7 s .. 1 h, not PT1S", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new BenchSettings(Duration.ofSeconds(70), 0, 512, 8, Duration.ZERO));
    assertEquals(
        "warm-up must be 0 .. 5 min, not PT6M",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new BenchSettings(
                        Duration.ofSeconds(70), 8, 512, 8, Duration.ZERO, Duration.ofMinutes(6)))
            .getMessage());
  }
}
