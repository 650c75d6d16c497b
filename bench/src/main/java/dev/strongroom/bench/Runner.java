package dev.strongroom.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Drives a {@link Phase} for a fixed time with at most {@code window} records in flight, either as
 * fast as it goes or at a target rate. At a target rate each record's latency is measured from when
 * it should have started, so a stalled system is not flattered (no coordinated omission). Records
 * still in flight at the end are waited for (their latencies count, their completions do not count
 * towards throughput).
 */
public final class Runner {
  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(5);
  private static final Duration DRAIN = Duration.ofMinutes(2);

  private final long runOriginNanos;

  /**
   * @param runOriginNanos {@link System#nanoTime()} when the whole run began (timeline x axis)
   */
  public Runner(long runOriginNanos) {
    this.runOriginNanos = runOriginNanos;
  }

  /**
   * Runs {@code phase} for {@code duration}; {@code ratePerSecond} 0 means as fast as the window
   * allows.
   */
  public PhaseResult run(
      Phase phase, Duration duration, int window, double ratePerSecond, long firstSeq)
      throws InterruptedException {
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1");
    }
    int secondsCount = (int) Math.max(1, Math.ceil(duration.toMillis() / 1000.0));
    Histogram all = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    List<Histogram> perSecond = new ArrayList<>();
    for (int i = 0; i < secondsCount; i++) {
      perSecond.add(new ConcurrentHistogram(HIGHEST_MICROS, 3));
    }
    AtomicLong inTime = new AtomicLong();
    AtomicLong stored = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    Semaphore permits = new Semaphore(window);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long seq = firstSeq;
    long n = 0;
    while (true) {
      long intended = ratePerSecond > 0 ? start + (long) (n * 1e9 / ratePerSecond) : 0;
      if (ratePerSecond > 0) {
        long wait = intended - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      if (System.nanoTime() >= end) {
        break;
      }
      if (!permits.tryAcquire(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        break;
      }
      long t0 = ratePerSecond > 0 ? intended : System.nanoTime();
      long thisSeq = seq++;
      n++;
      try {
        phase
            .submit(thisSeq)
            .whenComplete(
                (ok, err) -> {
                  long now = System.nanoTime();
                  try {
                    if (err != null) {
                      failures.incrementAndGet();
                      firstFailure.compareAndSet(null, reason(err));
                      return;
                    }
                    stored.incrementAndGet();
                    long micros = Math.min(HIGHEST_MICROS, Math.max(1, (now - t0) / 1000));
                    all.recordValue(micros);
                    if (now < end) {
                      inTime.incrementAndGet();
                      int s = (int) ((now - start) / 1_000_000_000L);
                      perSecond.get(Math.min(s, secondsCount - 1)).recordValue(micros);
                    }
                  } finally {
                    permits.release();
                  }
                });
      } catch (RuntimeException e) {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, reason(e));
        permits.release();
      }
    }
    double seconds = (Math.min(System.nanoTime(), end) - start) / 1e9;
    if (!permits.tryAcquire(window, DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
      failures.addAndGet(window - permits.availablePermits());
      firstFailure.compareAndSet(
          null, "records still in flight " + DRAIN.toSeconds() + " s after the phase ended");
    }
    List<PhaseResult.Second> timeline = new ArrayList<>();
    for (int i = 0; i < secondsCount; i++) {
      Histogram h = perSecond.get(i);
      timeline.add(
          new PhaseResult.Second(
              (start - runOriginNanos) / 1e9 + i,
              h.getTotalCount(),
              h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1000.0,
              h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0));
    }
    return new PhaseResult(
        phase.name(),
        inTime.get(),
        stored.get(),
        failures.get(),
        Optional.ofNullable(firstFailure.get()),
        seconds,
        all,
        List.copyOf(timeline),
        ratePerSecond);
  }

  private static String reason(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
