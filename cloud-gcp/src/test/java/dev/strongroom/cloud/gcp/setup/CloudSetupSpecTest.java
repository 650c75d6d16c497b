package dev.strongroom.cloud.gcp.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class CloudSetupSpecTest {
  private static CloudSetupSpec.Builder valid() {
    return CloudSetupSpec.builder()
        .project("strongroom-prod")
        .location("europe-west3")
        .keyRing("strongroom")
        .keyName("kek")
        .bucket("strongroom-worm")
        .retentionPeriod(Duration.ofDays(400))
        .serviceAccount("strongroom-services@strongroom-prod.iam.gserviceaccount.com");
  }

  @Test
  void defaultsAndResourceNames() {
    CloudSetupSpec s = valid().build();
    assertEquals(Duration.ofDays(90), s.rotationPeriod());
    assertEquals("europe-west3", s.bucketLocation());
    assertEquals(
        "projects/strongroom-prod/locations/europe-west3/keyRings/strongroom/cryptoKeys/kek",
        s.cryptoKeyResource());
    assertEquals(
        "serviceAccount:strongroom-services@strongroom-prod.iam.gserviceaccount.com",
        s.serviceAccountMember());
  }

  private static String refusal(UnaryOperator<CloudSetupSpec.Builder> change) {
    return assertThrows(IllegalArgumentException.class, () -> change.apply(valid()).build())
        .getMessage();
  }

  @Test
  void invalidValues_areRefusedWithTheReason() {
    assertEquals(
        "rotation period must be whole seconds between 1 day and 876000 hours, got PT23H59M59S",
        refusal(b -> b.rotationPeriod(Duration.ofDays(1).minusSeconds(1))));
    assertEquals(
        "rotation period must be whole seconds between 1 day and 876000 hours, got PT876001H",
        refusal(b -> b.rotationPeriod(Duration.ofHours(876_001))));
    assertEquals(
        "retention period must be whole seconds between 1 s and 100 years, got PT876600H1S",
        refusal(b -> b.retentionPeriod(Duration.ofSeconds(3_155_760_001L))));
    assertEquals("not a valid bucket: a.b.c", refusal(b -> b.bucket("a.b.c")));
    assertEquals(
        "bucket names may not start with goog or contain google",
        refusal(b -> b.bucket("my-google-bucket")));
    assertEquals("not a valid project: P", refusal(b -> b.project("P")));
    assertEquals(
        "not a valid service account: someone@example.com",
        refusal(b -> b.serviceAccount("someone@example.com")));
    assertEquals("not a valid key: k/1", refusal(b -> b.keyName("k/1")));
  }
}
