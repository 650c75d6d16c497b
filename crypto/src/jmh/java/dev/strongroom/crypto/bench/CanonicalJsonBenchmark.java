package dev.strongroom.crypto.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The RFC 8785 canonical bytes of one {@code store.requested.v1} envelope (the golden event of
 * {@code contracts}), as every signer and verifier computes them for every event: written straight
 * from the parsed tree ({@link CanonicalJson#canonicalize}) against the reference path it replaced
 * — serialise the tree, then let the JCS reference implementation parse and canonicalise the text
 * ({@link CanonicalJson#canonicalizeByReference}) — measured in the same run. {@link #main} prints
 * the throughput ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CanonicalJsonBenchmark {
  static final String STORE_REQUESTED =
      "{\"data\":{\"dataKey\":{\"dekId\":\"019ab0c0-1e00-7000-8000-0000000000d1\",\"kmsKeyName\":\"projects/strongroom-dev/locations/europe-west3/keyRings/strongroom/cryptoKeys/kek\",\"kmsKeyVersion\":\"projects/strongroom-dev/locations/europe-west3/keyRings/strongroom/cryptoKeys/kek/cryptoKeyVersions/1\",\"wrappedDek\":\"rb9FsIrWRoqhR-WyojdY71arYxorcK1SUByjWEQaNPOqbyWvBFk4OUDT3eajC8ybJVLemhLvYfBvuegu\"},\"fields\":{\"email\":{\"ct\":\"giREF_lWrHxZnxkVk_fkQaT6-iCkFY_VLhVPHcTI7ZLVTwo_5NGR8PIfQX-p-dXOjDxhYegayeKKrmF-\",\"iv\":\"s_B-SXIpE8YtJIqI\"},\"name\":{\"ct\":\"gqNTf_Dbzn7sNdae3DoYnubxfYLzU6VT-aqWywvjzol1buy5NtSiOtP9tG8JUsg-vzo\",\"iv\":\"ng86u8oAKBqJiaey\"}},\"recordId\":\"019ab0c0-1e00-7000-8000-0000000000a1\",\"requestId\":\"req-0001\",\"schemaVersion\":1,\"tenantToken\":\"eyJleHAiOjE3OTU0MjUzMDAsImlhdCI6MTc5NTQyNDQwMCwibm9uY2UiOiJlRGQ3VWxkWHRKUkNmNGtCVDVmWG1RIiwic3ViIjoiYWxpY2VAYWNtZSIsInRlbmFudCI6ImFjbWUiLCJ2IjoxfQ.BdyjwEV7H9UO8U5zUuf6F5dZg-J6E63nihB1kAzUBjg\"},\"datacontenttype\":\"application/json\",\"id\":\"019ab0c0-1e00-7000-8000-0000000000e2\",\"sig\":\"vB74Zw-VsTg-81zEnVX6PCqVA6GhZ4CwhJzViQLBrfD2IO1PKr4KSyWVtF5uNsP_iIIz3efYwslgoqIkGL1sDA\",\"sigalg\":\"ed25519\",\"sigkid\":\"pakS8urxVO7P_Jkm20iMlCfyjv0nh6h_tOMQsXx_jCg\",\"source\":\"/strongroom/crypto-service\",\"specversion\":\"1.0\",\"subject\":\"acme\",\"time\":\"2026-11-23T09:00:00.005Z\",\"type\":\"dev.strongroom.store.requested.v1\"}";

  private final JsonNode envelope =
      CanonicalJson.parse(STORE_REQUESTED.getBytes(StandardCharsets.UTF_8));

  /** Baseline: serialise, re-parse and canonicalise with the JCS reference implementation. */
  @Benchmark
  public byte[] reference() {
    return CanonicalJson.canonicalizeByReference(envelope);
  }

  /** Written straight from the tree. */
  @Benchmark
  public byte[] direct() {
    return CanonicalJson.canonicalize(envelope);
  }

  /** Runs both (standard JMH options apply) and prints direct/reference. */
  public static void main(String[] args) throws Exception {
    CommandLineOptions opts = new CommandLineOptions(args);
    Collection<RunResult> results =
        new Runner(
                new OptionsBuilder()
                    .parent(opts)
                    .include(CanonicalJsonBenchmark.class.getSimpleName())
                    .build())
            .run();
    double reference = 0;
    double direct = 0;
    for (RunResult r : results) {
      double score = r.getPrimaryResult().getScore();
      if (r.getParams().getBenchmark().endsWith(".direct")) {
        direct = score;
      } else {
        reference = score;
      }
    }
    System.out.printf(
        "%nreference %.1f ops/ms, direct %.1f ops/ms, direct/reference %.2f%n",
        reference, direct, reference == 0 ? 0 : direct / reference);
  }
}
