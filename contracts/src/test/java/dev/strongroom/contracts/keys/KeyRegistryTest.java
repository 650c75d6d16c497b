package dev.strongroom.contracts.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.errors.InvalidConfigurationException;
import dev.strongroom.contracts.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRegistryTest {
  @Test
  void roundTripsThroughTheDocumentedShape(@TempDir Path dir) throws Exception {
    KeyRegistry reg =
        KeyRegistry.of(
            List.of(
                TestKeys.entry(
                    "a", "/strongroom/data-service", List.of("dev.strongroom.security.alert.v1"))));
    Path file = dir.resolve("registry.json");
    reg.write(file);
    String json = Files.readString(file);
    assertTrue(
        json.startsWith(
            "{\"keys\":[{\"kid\":\""
                + TestKeys.key("a").kid()
                + "\",\"notAfter\":\"2099-12-31T23:59:59.000Z\""),
        json);
    assertEquals(
        reg.keys().iterator().next().kid(), KeyRegistry.load(file).keys().iterator().next().kid());
  }

  @Test
  void kidThatIsNotTheKeysHash_isRefused() {
    String pub = dev.strongroom.contracts.encoding.Base64Url.encode(TestKeys.key("a").publicKey());
    String json =
        "{\"version\":1,\"keys\":[{\"kid\":\""
            + TestKeys.key("b").kid()
            + "\",\"publicKey\":\""
            + pub
            + "\",\"source\":\"/apps/x\",\"types\":[],\"notBefore\":\"2020-01-01T00:00:00.000Z\",\"notAfter\":\"2030-01-01T00:00:00.000Z\"}]}";
    InvalidConfigurationException e =
        assertThrows(
            InvalidConfigurationException.class,
            () -> KeyRegistry.parse(json.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("is not the SHA-256 of its public key"), e.getMessage());
  }

  @Test
  void wrongVersion_andDuplicateKid_areRefused() {
    assertThrows(
        InvalidConfigurationException.class,
        () -> KeyRegistry.parse("{\"version\":2,\"keys\":[]}".getBytes(StandardCharsets.UTF_8)));
    RegisteredKey e = TestKeys.entry("a", "/apps/x", List.of());
    assertThrows(InvalidConfigurationException.class, () -> KeyRegistry.of(List.of(e, e)));
  }

  @Test
  void signingKey_pemRoundTrip_isPkcs8_andInteroperable() {
    SigningKey k = SigningKey.generate();
    String pem = k.toPem();
    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"), pem);
    assertEquals(k.kid(), SigningKey.fromPem(pem).kid());
    // The RFC 8410 example key (an OpenSSL-style PKCS#8 Ed25519 key).
    String rfc8410 =
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
    assertEquals(32, SigningKey.fromPem(rfc8410).publicKey().length);
    assertThrows(
        InvalidConfigurationException.class,
        () -> SigningKey.fromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
  }
}
