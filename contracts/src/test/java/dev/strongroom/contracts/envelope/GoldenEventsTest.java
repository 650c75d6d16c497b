package dev.strongroom.contracts.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.RegisteredKey;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.schema.EventType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Golden events: committed signed events that every later version must still accept. Each
 * catalogued type must have at least one, under {@code src/test/resources/golden/<type>/}.
 */
class GoldenEventsTest {
  private static final Path ROOT = Path.of("src/test/resources/golden");

  @Test
  void everyCataloguedType_hasGoldenEvents_andAllStillVerify() throws IOException {
    KeyRegistry registry = KeyRegistry.load(ROOT.resolve("registry.json"));
    for (EventType type : EventCatalog.standard().types()) {
      Path dir = ROOT.resolve(type.type());
      assertTrue(Files.isDirectory(dir), "no golden events for " + type.type());
      List<Path> files;
      try (var s = Files.list(dir)) {
        files = s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
      }
      assertFalse(files.isEmpty(), "no golden events for " + type.type());
      for (Path file : files) {
        byte[] value = Files.readAllBytes(file);
        JsonNode tree = CanonicalJson.parse(value);
        Clock atSigning =
            Clock.fixed(java.time.Instant.parse(tree.get("time").asText()), ZoneOffset.UTC);
        EventVerifier verifier =
            new EventVerifier(
                registry,
                EventCatalog.standard(),
                EventVerifier.DEFAULT_SKEW,
                atSigning,
                ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, atSigning));
        Verdict v = verifier.verify(value, new RecordCoordinates(type.topic(), 0, 0));
        assertInstanceOf(Verdict.Accepted.class, v, file + " no longer verifies: " + v);
        assertTrue(verifier.verifyDetached(value) instanceof Verdict.Accepted);
      }
    }
  }

  /**
   * The golden registry is the one {@code GenerateFixtures} writes (entries in its order, the
   * application's key bound to its certificate, no other key bound to one): any reader of the
   * format must read {@code certThumbprints} and write the file back byte for byte.
   */
  @Test
  void goldenRegistry_bindsTheApplicationsKeyOnly_andRoundTripsByteForByte() throws IOException {
    byte[] file = Files.readAllBytes(ROOT.resolve("registry.json"));
    KeyRegistry registry = KeyRegistry.parse(file);
    assertEquals(
        new String(file, StandardCharsets.UTF_8),
        new String(registry.toJson(), StandardCharsets.UTF_8));
    for (RegisteredKey k : registry.keys()) {
      assertEquals(
          k.source().equals("/apps/demo")
              ? List.of(dev.strongroom.contracts.testing.GenerateFixtures.GOLDEN_DEMO_APP_CERT)
              : List.of(),
          k.certThumbprints(),
          k.source());
    }
  }

  @Test
  void goldenV1Alert_readsAsTypedAlert() throws IOException {
    byte[] value =
        Files.readAllBytes(
            ROOT.resolve("dev.strongroom.security.alert.v1/v1-signature-invalid.json"));
    SecurityAlert alert = SecurityAlert.fromData(CanonicalJson.parse(value).get("data"));
    assertEquals(AlertKind.SIGNATURE_INVALID, alert.kind());
    assertEquals(17L, alert.related().get("offset"));
  }
}
