package dev.strongroom.auditanchor.anchor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.Ed25519NoteVerifier;
import dev.strongroom.cloud.gcp.fake.FakeCloudStorageServer;
import dev.strongroom.contracts.audit.CheckpointAnchored;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The packaged service with {@code worm.kind=gcs}: it opens a retention-locked bucket of the
 * in-process fake Cloud Storage (the real {@code google-cloud-storage} client inside the service)
 * and anchors there; the checkpoints it announces on {@code strongroom.audit.anchors} are the
 * bucket's objects byte for byte, and every object was created with {@code ifGenerationMatch=0}.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(
    value = GcsServiceIT.GcsStack.class,
    initArgs = {
      @ResourceArg(name = "service", value = "audit-anchor-service"),
      @ResourceArg(name = "database", value = "true"),
      @ResourceArg(name = "anchor-interval", value = "PT1S")
    },
    restrictToAnnotatedClass = true)
class GcsServiceIT {
  static final String BUCKET = "strongroom-worm-it";

  /** The devstack's resource, its WORM store moved to a locked bucket of a fake Cloud Storage. */
  public static final class GcsStack extends StrongroomTestResource {
    static volatile FakeCloudStorageServer gcs;

    @Override
    public Map<String, String> start() {
      try {
        gcs = FakeCloudStorageServer.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      gcs.createBucket("strongroom-it", BUCKET, Duration.ofDays(30), true);
      Map<String, String> c = new HashMap<>(super.start());
      c.put("strongroom.audit-anchor.worm.kind", "gcs");
      c.put("strongroom.audit-anchor.worm.location", BUCKET);
      c.put("strongroom.audit-anchor.worm.gcs-project", "strongroom-it");
      c.put("strongroom.audit-anchor.worm.gcs-endpoint", gcs.endpoint());
      c.put("strongroom.audit-anchor.worm.min-retention", "P7D");
      return c;
    }

    @Override
    public void stop() {
      super.stop();
      if (gcs != null) {
        gcs.close();
      }
    }
  }

  @Test
  void theServiceAnchorsInTheLockedBucket_createOnly() throws Exception {
    StrongroomTestResource.Stack stack = StrongroomTestResource.stack();
    Path keys = stack.keys().registryFile().getParent();
    Ed25519NoteVerifier logKey =
        Ed25519NoteVerifier.parse(
            Files.readString(keys.resolve(StrongroomTestResource.AUDIT_LOG_VKEY)).strip());
    List<CheckpointAnchored> anchors = new ArrayList<>();
    Properties p = new Properties();
    p.putAll(stack.kafka("siem"));
    p.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        KafkaAccessPolicy.groupFor("siem", "gcs-it-" + System.nanoTime()));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.AUDIT_ANCHORS));
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline && anchors.size() < 3) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          anchors.add(CheckpointAnchored.fromData(CanonicalJson.parse(r.value()).get("data")));
        }
      }
    }
    assertTrue(anchors.size() >= 3, "anchors: " + anchors);
    for (CheckpointAnchored a : anchors) {
      byte[] inBucket = GcsStack.gcs.objectBytes(BUCKET, a.wormObject());
      assertArrayEquals(a.checkpointBytes(), inBucket, a.wormObject());
      assertEquals(a.size(), Checkpoint.open(inBucket, logKey, List.of()).checkpoint().size());
    }
    List<FakeCloudStorageServer.Request> writes = GcsStack.gcs.mutatingRequests();
    assertTrue(writes.size() >= 3, writes.toString());
    for (FakeCloudStorageServer.Request r : writes) {
      assertEquals("0", r.query().get("ifGenerationMatch"), r.toString());
    }
  }
}
