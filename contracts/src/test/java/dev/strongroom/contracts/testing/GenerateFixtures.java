package dev.strongroom.contracts.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.alert.AlertKind;
import dev.strongroom.contracts.alert.SecurityAlert;
import dev.strongroom.contracts.alert.Severity;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.internal.Base64Url;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.contracts.schema.EventCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Writes the committed envelope test vectors and golden events. Run once by hand when a vector is added
 * (never by the build): committed files are the contract, and later versions must keep verifying them.
 *
 * <pre>java -cp contracts/target/test-classes:contracts/target/classes:$(deps) \
 *   dev.strongroom.contracts.testing.GenerateFixtures contracts/src/test/resources</pre>
 */
public final class GenerateFixtures {
  private GenerateFixtures() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    Instant t = Instant.parse("2026-11-23T09:00:00.000Z");

    // Envelope vectors: signing only (no catalog), exercising JCS ordering, escapes and numbers.
    SigningKey k1 = TestKeys.key("vector-1");
    ObjectNode data1 = CanonicalJson.mapper().createObjectNode();
    data1.put("kind", "STALE").put("severity", "MEDIUM").put("detail", "plain ascii");
    data1.putObject("related").put("offset", 42).put("topic", "strongroom.store.requests");
    vector(root, "01-global-alert", "a global event (no subject), integers and nested object", k1, "/strongroom/data-service",
        "dev.strongroom.security.alert.v1", null, data1, "019ab0c0-1e00-7000-8000-000000000001", t);

    ObjectNode data2 = CanonicalJson.mapper().createObjectNode();
    data2.put("z", "é € 𝄞 \u2028 \"quoted\" \\ back\tslash\n");
    data2.put("a", 9007199254740992L);
    data2.put("m", -9007199254740992L);
    data2.put("f", 1.5e21).put("g", 0.000001).put("h", -0.0).put("i", 100.0);
    data2.putArray("arr").add(true).add(false).addNull().add("x");
    data2.putObject("\u00e9").put("\u0001", 1);
    vector(root, "02-tenant-unicode-numbers",
        "a tenant-scoped event (subject), non-ASCII and control characters, 2^53 bounds, ES6 number forms",
        TestKeys.key("vector-2"), "/apps/demo", "dev.strongroom.store.requested.v1", "tenant-acme", data2,
        "019ab0c0-1e00-7abc-9def-0123456789ab", t.plusMillis(7));

    // Golden v1 alert, verifiable forever with golden/registry.json at its own time.
    SigningKey golden = TestKeys.key("golden-data-service");
    KeyRegistry registry =
        KeyRegistry.of(List.of(TestKeys.entry("golden-data-service", "/strongroom/data-service", List.of(EventCatalog.SECURITY_ALERT.type()))));
    Files.createDirectories(root.resolve("golden"));
    Files.write(root.resolve("golden/registry.json"), registry.toJson());
    EventSigner signer = new EventSigner(golden, "/strongroom/data-service", Clock.fixed(t, ZoneOffset.UTC));
    SecurityAlert alert =
        new SecurityAlert(AlertKind.SIGNATURE_INVALID, Severity.HIGH,
            "SIGNATURE_INVALID on strongroom.store.requests/0/17: signature does not verify",
            Map.of("topic", "strongroom.store.requests", "partition", 0, "offset", 17L,
                "eventId", "019ab0bf-f000-7000-8000-00000000abcd"));
    SignedEvent ev = signer.sign(EventCatalog.SECURITY_ALERT.type(), null, alert.toData(),
        "019ab0c0-1e00-7000-8000-00000000a1e7", t);
    Path dir = root.resolve("golden/" + EventCatalog.SECURITY_ALERT.type());
    Files.createDirectories(dir);
    Files.write(dir.resolve("v1-signature-invalid.json"), ev.bytes());
  }

  private static void vector(Path root, String name, String description, SigningKey key, String source, String type,
      String subject, ObjectNode data, String id, Instant time) throws Exception {
    EventSigner signer = new EventSigner(key, source, Clock.fixed(time, ZoneOffset.UTC));
    SignedEvent ev = signer.sign(type, subject, data, id, time);
    ObjectNode v = CanonicalJson.mapper().createObjectNode();
    v.put("description", description);
    v.put("seed", Base64Url.encode(TestKeys.seed(name.equals("01-global-alert") ? "vector-1" : "vector-2")));
    v.put("publicKey", Base64Url.encode(key.publicKey()));
    v.put("kid", key.kid());
    v.set("event", CanonicalJson.parse(ev.bytes()));
    v.put("canonical", Base64.getEncoder().encodeToString(ev.signedBytes()));
    v.put("sig", CanonicalJson.parse(ev.bytes()).get("sig").asText());
    Files.writeString(root.resolve("testvectors/envelope/" + name + ".json"),
        CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(v) + "\n");
  }
}
