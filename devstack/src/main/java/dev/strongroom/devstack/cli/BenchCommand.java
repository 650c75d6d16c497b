package dev.strongroom.devstack.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.bench.Bench;
import dev.strongroom.bench.BenchChart;
import dev.strongroom.bench.BenchReport;
import dev.strongroom.bench.BenchSettings;
import dev.strongroom.bench.CeilingPhase;
import dev.strongroom.bench.DbEndpoint;
import dev.strongroom.bench.DirectPathPhase;
import dev.strongroom.bench.Phase;
import dev.strongroom.bench.ProcedureWriter;
import dev.strongroom.bench.TenantSet;
import dev.strongroom.crypto.kms.AddedLatencyKeyWrapper;
import dev.strongroom.crypto.kms.InsecureLocalKeyring;
import dev.strongroom.crypto.kms.KeyWrapper;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.stack.StackDescriptor;
import dev.strongroom.devstack.stack.StackException;
import dev.strongroom.devstack.stack.StackLauncher;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./strongroom bench}: the pipeline against the database's own ceiling and against the
 * seed's direct path, in one run on the running stack (its database, its KMS latency, the
 * data-service's pool size as the client concurrency). Writes {@code
 * .strongroom/bench/bench-<time>.json} and {@code .png}; exit 1 when records were lost or refused.
 */
@Command(
    name = "bench",
    description =
        "Measure the pipeline against the database's ceiling and the seed's direct path (about a"
            + " minute).")
final class BenchCommand implements Callable<Integer> {
  @ParentCommand StrongroomCommand root;

  @Option(
      names = "--duration",
      description = "Whole measured time, ISO-8601 or seconds (default PT70S: seven 10 s slots).")
  String duration = "PT70S";

  @Option(
      names = "--concurrency",
      description =
          "Database connections / direct-path clients (default: the data-service's pool).")
  int concurrency = BenchSettings.DEFAULT_CONCURRENCY;

  @Option(
      names = "--warmup",
      description =
          "Each phase runs this long once, unmeasured, before the first slot (default PT5S; PT0S"
              + " for none). Records it loses still fail the run.")
  String warmup = "PT5S";

  @Option(names = "--tenants", description = "Tenants the records are spread over (default 8).")
  int tenants = BenchSettings.DEFAULT_TENANTS;

  @Option(
      names = "--window",
      description = "Pipeline records kept in flight at full load (default 512).")
  int window = BenchSettings.DEFAULT_PIPELINE_WINDOW;

  @Override
  public Integer call() throws Exception {
    BenchSettings settings;
    StackLauncher launcher = root.launcher();
    try {
      settings =
          new BenchSettings(
              parseDuration(duration),
              concurrency,
              window,
              tenants,
              launcher.runningKmsLatency(),
              parseDuration(warmup));
    } catch (IllegalArgumentException e) {
      root.err.println("strongroom: " + e.getMessage());
      return StrongroomCommand.USAGE;
    }
    if (!Files.exists(launcher.stackFile())) {
      throw new StackException("the stack is not up; run ./strongroom up");
    }
    StackDescriptor stack = StackDescriptor.fromJson(Files.readAllBytes(launcher.stackFile()));
    StackDescriptor.Db db =
        stack.db().orElseThrow(() -> new StackException("the stack has no database"));
    StackDescriptor.CertKey app = db.identities().get("app_user");
    DbEndpoint endpoint =
        new DbEndpoint(db.host(), db.port(), db.database(), db.caCert(), app.cert(), app.key());
    DevKeys keys = DevKeys.open(root.state().resolve("keys"));
    String runId =
        DateTimeFormatter.ofPattern("MMddHHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    SecureRandom random = new SecureRandom();
    KeyWrapper kms =
        AddedLatencyKeyWrapper.of(
            InsecureLocalKeyring.load(
                DevKeys.DEV_KEK_NAME,
                root.state().resolve("keys").resolve(DevKeys.DEV_KEYRING),
                random),
            settings.kmsLatency());
    TenantSet tenantSet =
        new TenantSet(
            keys.tenantTokens(Clock.systemUTC()),
            runId,
            tenants,
            dev.strongroom.contracts.token.TenantTokens.thumbprint(
                root.launcher()
                    .identity(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP)
                    .certificate()));
    Vertx vertx = Vertx.vertx();
    BenchReport report;
    try (ProcedureWriter writer = new ProcedureWriter(vertx, endpoint, settings.concurrency());
        Phase ceiling = new CeilingPhase(writer, tenantSet, kms, runId, random);
        Phase direct =
            new DirectPathPhase(writer, tenantSet, kms, runId, random, settings.concurrency());
        Phase pipeline = PipelinePhase.open(root, stack, keys, tenantSet, runId)) {
      Map<String, String> durability = new LinkedHashMap<>();
      for (String v : new String[] {"innodb_flush_log_at_trx_commit", "sync_binlog", "log_bin"}) {
        durability.put(v, writer.variable(v).toCompletionStage().toCompletableFuture().join());
      }
      root.err.printf(
          "bench: %s total after a %s warm-up per phase, KMS latency %d ms, %d connections, %d"
              + " tenants%n",
          settings.duration(),
          settings.warmup(),
          settings.kmsLatency().toMillis(),
          settings.concurrency(),
          settings.tenants());
      report = Bench.run(settings, ceiling, direct, pipeline, durability, root.err);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
    Path dir = Files.createDirectories(root.state().resolve("bench"));
    Path json = dir.resolve("bench-" + runId + ".json");
    Path png = dir.resolve("bench-" + runId + ".png");
    ObjectNode node = report.toJson();
    node.put("chart", png.toString());
    Files.write(json, node.toPrettyString().getBytes(StandardCharsets.UTF_8));
    BenchChart.write(report, png);
    if (root.json) {
      node.put("report", json.toString());
      root.printJson(node);
    } else {
      root.out.print(report.toText());
      root.out.println("report " + json);
      root.out.println("chart  " + png);
    }
    return report.failures() == 0 ? StrongroomCommand.OK : StrongroomCommand.PROBLEM;
  }

  static Duration parseDuration(String s) {
    try {
      return s.matches("\\d{1,5}") ? Duration.ofSeconds(Long.parseLong(s)) : Duration.parse(s);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("durations are ISO-8601 (PT70S) or seconds, not: " + s);
    }
  }
}
