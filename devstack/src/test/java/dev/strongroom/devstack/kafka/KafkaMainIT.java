package dev.strongroom.devstack.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link KafkaMain} in a child JVM, as the local stack launcher does. */
class KafkaMainIT {

  private static final long READY_TIMEOUT_MS = 120_000;

  @TempDir Path dir;

  private Process process;

  @AfterEach
  void killLeftover() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void startsServesAndStopsOnSigterm() throws Exception {
    Path logDir = dir.resolve("kafka-data");
    Path readyFile = dir.resolve("run/kafka.ready");
    long startNanos = System.nanoTime();
    Path pkiDir = dir.resolve("pki");
    process =
        launch(
            "--log-dir",
            logDir.toString(),
            "--pki",
            pkiDir.toString(),
            "--ready-file",
            readyFile.toString());

    String bootstrap = awaitReadyFile(readyFile);
    long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    System.out.println("KafkaMain ready in " + readyMs + " ms (child JVM start included)");
    assertTrue(bootstrap.matches("127\\.0\\.0\\.1:\\d+"), bootstrap);

    PkiDirectory pki = PkiDirectory.open(pkiDir, PkiSpec.strongroom(List.of()));
    try (KafkaProducer<String, String> producer =
        EmbeddedKafkaIT.producer(pki.identity("proof-service").kafkaClient(bootstrap))) {
      producer.send(new ProducerRecord<>(Topics.PROOF_RESULTS, "k", "v")).get(30, TimeUnit.SECONDS);
    }
    assertEquals(
        List.of(Map.entry("k", "v")),
        EmbeddedKafkaIT.consume(
            pki.identity("operator").kafkaClient(bootstrap), "operator", Topics.PROOF_RESULTS, 1));

    process.destroy(); // SIGTERM
    assertTrue(
        process.waitFor(30, TimeUnit.SECONDS), "KafkaMain did not exit within 30 s of SIGTERM");
    assertEquals(143, process.exitValue(), "exit status after SIGTERM; stderr:\n" + stderr());
    assertFalse(Files.exists(readyFile), "ready file left behind");
    List<String> stdout = Files.readAllLines(dir.resolve("stdout.txt"));
    assertEquals(List.of("kafka ready at " + bootstrap), stdout);
  }

  @Test
  void exitsWithStatus3WhenTheBrokerCannotStart() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("file"), "not a directory");
    process =
        launch(
            "--log-dir",
            notADirectory.toString(),
            "--pki",
            dir.resolve("pki").toString(),
            "--ready-file",
            dir.resolve("ready").toString());
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "KafkaMain did not give up");
    assertEquals(KafkaMain.EXIT_STARTUP_FAILED, process.exitValue());
    assertTrue(stderr().contains("kafka: startup failed"), stderr());
    assertFalse(Files.exists(dir.resolve("ready")));
  }

  @Test
  void exitsWithStatus2OnBadArguments() throws Exception {
    process = launch("--log-dir");
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    assertEquals(KafkaMain.EXIT_USAGE, process.exitValue());
    assertTrue(stderr().contains("usage:"), stderr());
  }

  private Process launch(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(KafkaMain.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectOutput(dir.resolve("stdout.txt").toFile())
        .redirectError(dir.resolve("stderr.txt").toFile())
        .start();
  }

  private String awaitReadyFile(Path readyFile) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
    while (System.nanoTime() < deadline) {
      if (Files.exists(readyFile)) {
        return Files.readString(readyFile, StandardCharsets.UTF_8);
      }
      if (!process.isAlive()) {
        fail("KafkaMain exited with status " + process.exitValue() + "; stderr:\n" + stderr());
      }
      Thread.sleep(100);
    }
    return fail("no ready file after " + READY_TIMEOUT_MS + " ms; stderr:\n" + stderr());
  }

  private String stderr() throws IOException {
    return Files.readString(dir.resolve("stderr.txt"));
  }
}
