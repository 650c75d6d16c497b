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
  void certThumbprints_roundTrip_onlyWhereBound_andBindOnlyThoseCertificates() {
    String cert = dev.strongroom.contracts.encoding.Base64Url.encode(new byte[32]);
    KeyRegistry reg =
        KeyRegistry.of(
            List.of(
                TestKeys.entry("svc", "/strongroom/data-service", List.of()),
                KeyRegistry.entry(
                    TestKeys.key("app"),
                    "/apps/demo",
                    List.of("dev.strongroom.encrypt.requested.v1"),
                    java.time.Instant.parse("2020-01-01T00:00:00Z"),
                    java.time.Instant.parse("2099-01-01T00:00:00Z"),
                    List.of(cert))));
    String json = new String(reg.toJson(), StandardCharsets.UTF_8);
    assertEquals(1, json.split("certThumbprints", -1).length - 1, json);
    assertTrue(json.contains("\"certThumbprints\":[\"" + cert + "\"]"), json);
    KeyRegistry back = KeyRegistry.parse(reg.toJson());
    assertEquals(json, new String(back.toJson(), StandardCharsets.UTF_8));
    RegisteredKey app = back.find(TestKeys.key("app").kid()).orElseThrow();
    assertEquals(List.of(cert), app.certThumbprints());
    assertTrue(app.isBoundTo(cert));
    assertTrue(!app.isBoundTo(cert.replace('A', 'B')) && !app.isBoundTo(null));
    RegisteredKey svc = back.find(TestKeys.key("svc").kid()).orElseThrow();
    assertEquals(List.of(), svc.certThumbprints());
    assertTrue(!svc.isBoundTo(cert));
  }

  @Test
  void badCertThumbprints_makeTheRegistryInvalid() {
    String pub = dev.strongroom.contracts.encoding.Base64Url.encode(TestKeys.key("a").publicKey());
    String prefix =
        "{\"version\":1,\"keys\":[{\"kid\":\""
            + TestKeys.key("a").kid()
            + "\",\"publicKey\":\""
            + pub
            + "\",\"source\":\"/apps/x\",\"types\":[],\"notBefore\":\"2020-01-01T00:00:00.000Z\","
            + "\"notAfter\":\"2030-01-01T00:00:00.000Z\",\"certThumbprints\":";
    String ok = dev.strongroom.contracts.encoding.Base64Url.encode(new byte[32]);
    for (String bad :
        List.of(
            "[]",
            "\"" + ok + "\"",
            "[1]",
            "[\"" + ok + "=\"]",
            "[\"" + ok.substring(1) + "\"]",
            "[\"" + ok.substring(0, 42) + "B\"]", // non-canonical trailing bits
            "[\"" + dev.strongroom.contracts.encoding.Base64Url.encode(new byte[33]) + "\"]",
            "[\"" + ok + "\",\"" + ok + "\"]")) {
      assertThrows(
          InvalidConfigurationException.class,
          () -> KeyRegistry.parse((prefix + bad + "}]}").getBytes(StandardCharsets.UTF_8)),
          bad);
    }
    assertEquals(
        List.of(ok),
        KeyRegistry.parse(("" + prefix + "[\"" + ok + "\"]}]}").getBytes(StandardCharsets.UTF_8))
            .keys()
            .iterator()
            .next()
            .certThumbprints());
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
