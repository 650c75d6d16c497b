package dev.strongroom.bench;

import java.time.Duration;

/**
 * One run's settings.
 *
 * @param duration the whole measured time, shared by the six ABBA slots and the half-load slot
 * @param concurrency database connections (and, on the direct path, client threads) — the
 *     data-service's pool size, so the database sees the same concurrency in every phase
 * @param pipelineWindow records the pipeline driver keeps in flight at full load
 * @param tenants tenants the records are spread over
 * @param kmsLatency the wait the stack's KMS adds per call (the direct path pays it per record)
 * @param warmup how long each phase runs once, unmeasured, before the first slot (the services' and
 *     the bench's own JIT, connections and caches), on top of {@code duration}
 */
public record BenchSettings(
    Duration duration,
    int concurrency,
    int pipelineWindow,
    int tenants,
    Duration kmsLatency,
    Duration warmup) {

  public static final Duration DEFAULT_DURATION = Duration.ofSeconds(70);
  public static final int DEFAULT_CONCURRENCY = 8;
  public static final int DEFAULT_PIPELINE_WINDOW = 512;
  public static final int DEFAULT_TENANTS = 8;
  public static final long DEFAULT_WARMUP_SECONDS = 5;
  public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(DEFAULT_WARMUP_SECONDS);

  public BenchSettings {
    if (duration.compareTo(Duration.ofSeconds(7)) < 0
        || duration.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("duration must be 7 s .. 1 h, not " + duration);
    }
    if (concurrency < 1 || concurrency > 256) {
      throw new IllegalArgumentException("concurrency must be 1..256, not " + concurrency);
    }
    if (pipelineWindow < 1 || pipelineWindow > 100_000) {
      throw new IllegalArgumentException(
          "pipeline window must be 1..100000, not " + pipelineWindow);
    }
    if (tenants < 1 || tenants > 1000) {
      throw new IllegalArgumentException("tenants must be 1..1000, not " + tenants);
    }
    if (kmsLatency.isNegative()) {
      throw new IllegalArgumentException("KMS latency must not be negative");
    }
    if (warmup.isNegative() || warmup.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("warm-up must be 0 .. 5 min, not " + warmup);
    }
  }

  /** With the default warm-up ({@value #DEFAULT_WARMUP_SECONDS} s per phase). */
  public BenchSettings(
      Duration duration, int concurrency, int pipelineWindow, int tenants, Duration kmsLatency) {
    this(duration, concurrency, pipelineWindow, tenants, kmsLatency, DEFAULT_WARMUP);
  }

  /** Each of the seven slots (A B C C B A, then C at half load) gets a seventh of the time. */
  public Duration slot() {
    return duration.dividedBy(7);
  }
}
