package dev.strongroom.contracts.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.keys.Ed25519Keys;
import dev.strongroom.contracts.keys.SigningKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed envelope vectors (testvectors/envelope, our own format; see docs/events.md): any
 * implementation must derive the same key, canonical bytes and signature.
 */
class EnvelopeVectorsTest {
  static Stream<Path> vectors() throws IOException {
    Path dir = Path.of("src/test/resources/testvectors/envelope");
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  @Test
  void vectorsArePresent() throws IOException {
    assertTrue(vectors().count() >= 2);
  }

  @ParameterizedTest
  @MethodSource("vectors")
  void vector_reproducesKeyCanonicalBytesAndSignature(Path file) throws IOException {
    JsonNode v = CanonicalJson.parse(Files.readAllBytes(file));
    SigningKey key = SigningKey.fromSeed(Base64Url.decode(v.get("seed").asText()));
    assertEquals(v.get("publicKey").asText(), Base64Url.encode(key.publicKey()));
    assertEquals(v.get("kid").asText(), key.kid());

    ObjectNode event = (ObjectNode) v.get("event").deepCopy();
    assertEquals(v.get("sig").asText(), event.get("sig").asText());
    event.remove("sig");
    byte[] canonical = CanonicalJson.canonicalize(event);
    assertArrayEquals(Base64.getDecoder().decode(v.get("canonical").asText()), canonical);
    assertEquals(
        v.get("sig").asText(), Base64Url.encode(key.sign(canonical)), "Ed25519 is deterministic");
    assertTrue(
        Ed25519Keys.verify(key.publicKey(), canonical, Base64Url.decode(v.get("sig").asText())));

    canonical[canonical.length / 2] ^= 1;
    assertFalse(
        Ed25519Keys.verify(key.publicKey(), canonical, Base64Url.decode(v.get("sig").asText())));
  }

  @Test
  void rfc8785_numberSerialisation() {
    for (List<String> c :
        List.of(
            List.of("[1.0]", "[1]"),
            List.of("[-0.0]", "[0]"),
            List.of("[1e21]", "[1e+21]"),
            List.of("[1E-7]", "[1e-7]"),
            List.of("[0.000001]", "[0.000001]"),
            List.of("[333333333.33333329]", "[333333333.3333333]"),
            List.of(
                "{\"b\":1,\"a\":2,\"\\u20ac\":3,\"\\r\":4}",
                "{\"\\r\":4,\"a\":2,\"b\":1,\"€\":3}"))) {
      assertEquals(
          c.get(1),
          CanonicalJson.canonicalString(
              CanonicalJson.parse(c.get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8))),
          c.get(0));
    }
  }
}
