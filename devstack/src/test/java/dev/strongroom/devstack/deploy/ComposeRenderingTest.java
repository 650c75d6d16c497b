package dev.strongroom.devstack.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The files docker-compose.yml mounts from {@code deploy/kafka} and {@code deploy/services} are the
 * renderer's output, not hand-edited copies. Regenerate with {@code -Ddeploy.update=true} and
 * review the diff.
 */
class ComposeRenderingTest {
  private static final Path DEPLOY = Path.of("../deploy");

  @Test
  void deployFiles_areTheRenderersOutput() throws IOException {
    for (Map.Entry<String, String> f : ComposeTopology.files().entrySet()) {
      Path file = DEPLOY.resolve(f.getKey());
      if (Boolean.getBoolean("deploy.update")) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, f.getValue(), StandardCharsets.UTF_8);
        continue;
      }
      assertEquals(
          f.getValue(),
          Files.readString(file, StandardCharsets.UTF_8),
          "deploy/" + f.getKey() + " differs from ComposeTopology");
    }
  }

  @Test
  void broker_hasNoPlaintextListener_andDeniesWhatNoAclAllows() throws IOException {
    Properties p = load(ComposeTopology.files().get("kafka/server.properties"));
    assertEquals("SSL:SSL,CONTROLLER:SSL", p.getProperty("listener.security.protocol.map"));
    assertEquals("required", p.getProperty("ssl.client.auth"));
    assertEquals("false", p.getProperty("allow.everyone.if.no.acl.found"));
    assertEquals("User:kafka-broker", p.getProperty("super.users"));
    assertEquals("TLSv1.3", p.getProperty("ssl.enabled.protocols"));
    for (String k : p.stringPropertyNames()) {
      assertFalse(p.getProperty(k).contains("PLAINTEXT"), k);
      assertFalse(p.getProperty(k).contains("PRIVATE KEY"), k + " holds key bytes");
    }
  }

  @Test
  void everyService_speaksHttpsOnly_withItsOwnIdentity() throws IOException {
    for (String s : dev.strongroom.provisioner.pki.PkiSpec.SERVICES) {
      Properties p = load(ComposeTopology.files().get("services/" + s + ".properties"));
      assertEquals(s, p.getProperty("strongroom.tls.name"));
      assertEquals(
          "/srv/strongroom/pki/clients/" + s + ".key", p.getProperty("strongroom.tls.key"));
      assertEquals("disabled", p.getProperty("quarkus.http.insecure-requests"));
      assertEquals("8443", p.getProperty("quarkus.http.ssl-port"));
      assertEquals("kafka:9093", p.getProperty("kafka.bootstrap.servers"));
      // a caller on the CA's CRL is refused (401 REVOKED), as on the devstack
      assertEquals("/srv/strongroom/pki/ca/crl.pem", p.getProperty("strongroom.tls.crl"), s);
      // only the crypto-service verifies tenant tokens in Java (the database has its own copy)
      assertEquals(
          s.equals("crypto-service") ? "/run/secrets/tenant-token-key" : null,
          p.getProperty("strongroom.crypto.tenant-token-key"),
          s);
    }
  }

  @Test
  void auditAnchorService_runsTheAuditWatch_asAnchorWriter_intoTheWormVolume() throws IOException {
    Properties p = load(ComposeTopology.files().get("services/audit-anchor-service.properties"));
    assertEquals("true", p.getProperty("strongroom.audit-anchor.enabled"));
    assertEquals("audit-anchor-1", p.getProperty("strongroom.audit-anchor.holder"));
    assertEquals("mysql", p.getProperty("strongroom.audit-anchor.db.host"));
    assertEquals("3306", p.getProperty("strongroom.audit-anchor.db.port"));
    // its own identity, not the auditor's certificate that assessors hold (docs/decisions.md)
    assertEquals("anchor_writer", p.getProperty("strongroom.audit-anchor.db.user"));
    assertEquals(
        "/srv/strongroom/pki/ca/ca.pem", p.getProperty("strongroom.audit-anchor.db.ca-cert"));
    assertEquals(
        "/srv/strongroom/pki/clients/anchor_writer.pem",
        p.getProperty("strongroom.audit-anchor.db.cert"));
    assertEquals(
        "/srv/strongroom/pki/clients/anchor_writer.key",
        p.getProperty("strongroom.audit-anchor.db.key"));
    assertTrue(p.values().stream().noneMatch(v -> v.toString().contains("auditor")), p.toString());
    assertEquals("local-dir", p.getProperty("strongroom.audit-anchor.worm.kind"));
    assertEquals(
        "/var/lib/strongroom/audit-anchor/worm",
        p.getProperty("strongroom.audit-anchor.worm.location"));
    assertEquals(
        "/var/lib/strongroom/audit-anchor/state",
        p.getProperty("strongroom.audit-anchor.state-dir"));
    assertEquals("/run/secrets/audit-log-key", p.getProperty("strongroom.audit-anchor.log-key"));
    // production timing: the defaults (PT60S, PT150S), not the devstack's 1 s ticks
    assertEquals(null, p.getProperty("strongroom.audit-anchor.interval"));
    assertEquals(null, p.getProperty("strongroom.audit-anchor.lease-ttl"));
    // no backup with the development keyring in production (docs/operations.md)
    assertEquals("false", p.getProperty("strongroom.backup.enabled"));
    assertTrue(
        p.stringPropertyNames().stream().noneMatch(k -> k.startsWith("strongroom.backup.kms")));
  }

  @Test
  void cryptoService_sealsWithItsSecret_andWrapsUnderCloudKms() throws IOException {
    Properties p = load(ComposeTopology.files().get("services/crypto-service.properties"));
    assertEquals("/run/secrets/crypto-sealing-key", p.getProperty("strongroom.crypto.sealing-key"));
    assertEquals("GCP_KMS", p.getProperty("strongroom.crypto.kms.kind"));
    // the key's name comes from the environment; no development keyring, no added latency
    assertEquals(null, p.getProperty("strongroom.crypto.kms.key-name"));
    assertTrue(
        p.stringPropertyNames().stream()
            .noneMatch(
                k ->
                    k.contains("keyring")
                        || k.contains("added-latency")
                        || k.contains("plaintext-endpoint")),
        p.toString());
  }

  @Test
  void dataService_writesAsAppUser_overMutualTls() throws IOException {
    Properties p = load(ComposeTopology.files().get("services/data-service.properties"));
    assertEquals("mysql", p.getProperty("strongroom.data.db.host"));
    assertEquals("3306", p.getProperty("strongroom.data.db.port"));
    assertEquals("strongroom", p.getProperty("strongroom.data.db.database"));
    assertEquals("/srv/strongroom/pki/ca/ca.pem", p.getProperty("strongroom.data.db.ca-cert"));
    assertEquals(
        "/srv/strongroom/pki/clients/app_user.pem", p.getProperty("strongroom.data.db.cert"));
    assertEquals(
        "/srv/strongroom/pki/clients/app_user.key", p.getProperty("strongroom.data.db.key"));
    for (String s : dev.strongroom.provisioner.pki.PkiSpec.SERVICES) {
      if (!s.equals("data-service")) {
        Properties other = load(ComposeTopology.files().get("services/" + s + ".properties"));
        assertTrue(other.values().stream().noneMatch(v -> v.toString().contains("app_user")), s);
      }
    }
  }

  @Test
  void otherServices_haveNoDatabaseOrAuditSettings() throws IOException {
    for (String s : dev.strongroom.provisioner.pki.PkiSpec.SERVICES) {
      if (s.equals("audit-anchor-service")) {
        continue;
      }
      Properties p = load(ComposeTopology.files().get("services/" + s + ".properties"));
      assertTrue(
          p.stringPropertyNames().stream()
              .noneMatch(
                  k ->
                      k.startsWith("strongroom.audit-anchor.")
                          || k.contains("auditor")
                          || k.contains("anchor_writer")),
          s);
      assertTrue(
          p.values().stream()
              .noneMatch(
                  v -> v.toString().contains("auditor") || v.toString().contains("anchor_writer")),
          s);
    }
  }

  @Test
  void setupScript_grantsExactlyThePolicy() {
    String script = ComposeTopology.files().get("kafka/setup.sh");
    long acls = script.lines().filter(l -> l.startsWith("/opt/kafka/bin/kafka-acls.sh")).count();
    assertEquals(KafkaAccessPolicy.bindings().size(), acls);
    assertTrue(script.lines().noneMatch(l -> l.contains("--deny-principal")));
    assertTrue(script.lines().noneMatch(l -> l.contains("'All'")), "no ALL operation granted");
  }

  private static Properties load(String text) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(text));
    return p;
  }
}
