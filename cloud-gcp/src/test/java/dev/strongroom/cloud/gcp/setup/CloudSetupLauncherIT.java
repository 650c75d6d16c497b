package dev.strongroom.cloud.gcp.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strongroom.cloud.gcp.fake.FakeCloudStorageServer;
import dev.strongroom.crypto.gcpkms.FakeCloudKmsServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ./strongroom cloud-setup} end to end: the repository's script runs the packaged {@code
 * target/cloud-gcp.jar} (with {@code lib/} beside it) in its own JVM against the fakes this test
 * starts — dry run, apply, re-apply unchanged — so the launcher's classpath and the script's
 * argument passing are what is tested, not only the command class.
 */
class CloudSetupLauncherIT {
  private static final String PROJECT = "strongroom-prod";
  private static final String SA = "strongroom-services@strongroom-prod.iam.gserviceaccount.com";

  private FakeCloudStorageServer gcs;
  private FakeCloudKmsServer kms;

  @BeforeEach
  void start() throws Exception {
    gcs = FakeCloudStorageServer.start();
    kms = FakeCloudKmsServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    kms.close();
    gcs.close();
  }

  private record Run(int exit, String out, String err) {}

  private Run strongroom(String... extra) throws Exception {
    Path script = Path.of("..", "strongroom").toAbsolutePath().normalize();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                script.toString(),
                "--json",
                "cloud-setup",
                "--project=" + PROJECT,
                "--location=europe-west3",
                "--key-ring=strongroom",
                "--key=kek",
                "--bucket=strongroom-worm-prod",
                "--retention=P400D",
                "--service-account=" + SA,
                "--storage-endpoint=" + gcs.endpoint(),
                "--kms-endpoint=" + kms.endpoint()));
    cmd.addAll(List.of(extra));
    File out = Files.createTempFile("sr-cloud-setup", ".out").toFile();
    File err = Files.createTempFile("sr-cloud-setup", ".err").toFile();
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectOutput(out)
              .redirectError(err)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      assertTrue(p.waitFor(180, TimeUnit.SECONDS), "cloud-setup did not finish");
      return new Run(
          p.exitValue(),
          Files.readString(out.toPath(), StandardCharsets.UTF_8),
          Files.readString(err.toPath(), StandardCharsets.UTF_8));
    } finally {
      out.delete();
      err.delete();
    }
  }

  @Test
  void dryRunApplyReapply_throughTheScript() throws Exception {
    Run dry = strongroom("--dry-run");
    assertEquals(0, dry.exit(), dry.err());
    JsonNode plan = new ObjectMapper().readTree(dry.out());
    assertTrue(plan.get("dryRun").asBoolean());
    assertFalse(plan.get("changed").asBoolean());
    assertTrue(plan.get("steps").size() >= 5, dry.out());
    for (JsonNode s : plan.get("steps")) {
      assertFalse(s.get("status").asText().equals("unchanged"), dry.out());
    }
    assertEquals(List.of(), gcs.mutatingRequests());
    assertEquals(List.of(), kms.mutatingCalls());

    Run apply = strongroom();
    assertEquals(0, apply.exit(), apply.err());
    assertTrue(new ObjectMapper().readTree(apply.out()).get("changed").asBoolean(), apply.out());

    gcs.clearRequests();
    kms.clearCalls();
    Run again = strongroom();
    assertEquals(0, again.exit(), again.err());
    JsonNode r = new ObjectMapper().readTree(again.out());
    assertFalse(r.get("changed").asBoolean(), again.out());
    for (JsonNode s : r.get("steps")) {
      assertEquals("unchanged", s.get("status").asText(), again.out());
    }
    assertEquals(List.of(), gcs.mutatingRequests());
    assertEquals(List.of(), kms.mutatingCalls());
  }

  @Test
  void badRetention_isAUsageError_throughTheScript() throws Exception {
    Run r = strongroom("--retention=forever");
    assertEquals(2, r.exit(), r.err());
  }
}
