package dev.strongroom.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * What one phase (or the sum of its ABBA slots) measured: records stored inside the measured time
 * ({@code records}, the throughput's numerator), all records stored including those still in flight
 * when the time was up ({@code stored}), failures with the first reason, latency from the record's
 * (intended) start to its durable result, and one point per second.
 */
public record PhaseResult(
    String name,
    long records,
    long stored,
    long failures,
    Optional<String> firstFailure,
    double seconds,
    Histogram latencyMicros,
    List<Second> timeline,
    double targetRate) {

  /** One second of a slot: when (seconds since the run began), records completed, latency. */
  public record Second(double at, long records, double p50Ms, double p99Ms) {}

  public double throughput() {
    return seconds <= 0 ? 0 : records / seconds;
  }

  public double p50Ms() {
    return percentileMs(50);
  }

  public double p99Ms() {
    return percentileMs(99);
  }

  public double maxMs() {
    return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0;
  }

  private double percentileMs(double p) {
    return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(p) / 1000.0;
  }

  /** The two slots of one phase as one result (records and seconds add, histograms merge). */
  public PhaseResult plus(PhaseResult o) {
    if (!o.name.equals(name)) {
      throw new IllegalArgumentException("cannot add " + o.name + " to " + name);
    }
    Histogram h = latencyMicros.copy();
    h.add(o.latencyMicros);
    List<Second> t = new ArrayList<>(timeline);
    t.addAll(o.timeline);
    return new PhaseResult(
        name,
        records + o.records,
        stored + o.stored,
        failures + o.failures,
        firstFailure.isPresent() ? firstFailure : o.firstFailure,
        seconds + o.seconds,
        h,
        List.copyOf(t),
        targetRate);
  }
}
