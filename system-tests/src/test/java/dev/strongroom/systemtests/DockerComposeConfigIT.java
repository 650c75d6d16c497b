package dev.strongroom.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml is the production topology; no Docker engine runs here, so it is validated
 * with {@code docker-compose config} (Debian package docker-compose; ./strongroom test installs
 * it): the file is valid, holds Kafka, the database, the setup jobs and the five services, speaks
 * no plaintext, and gives each container the CA and its own key only, never another's.
 */
class DockerComposeConfigIT {
  private static final List<String> SERVICES =
      List.of(
          "crypto-service",
          "data-service",
          "audit-anchor-service",
          "provisioner-service",
          "proof-service");

  @Test
  void composeFile_isValid_andHoldsKafkaAndTheFiveServices() throws Exception {
    String compose = Cli.HOME.resolve("docker-compose.yml").toString();
    Cli.Result quiet = Cli.exec(List.of("docker-compose", "-f", compose, "config", "-q"), 60);
    assertEquals(0, quiet.exit(), quiet.err());
    Cli.Result services =
        Cli.exec(List.of("docker-compose", "-f", compose, "config", "--services"), 60);
    assertEquals(0, services.exit(), services.err());
    List<String> names = services.out().lines().sorted().toList();
    List<String> expected =
        new ArrayList<>(
            List.of("kafka", "kafka-setup", "mysql", "mysql-init", "audit-anchor-init"));
    expected.addAll(SERVICES);
    for (String s : expected) {
      assertTrue(names.contains(s), "compose lacks " + s + ": " + names);
    }
  }

  @Test
  void composeTopology_speaksNoPlaintext_andMountsOnlyEachContainersOwnKey() throws Exception {
    String compose = Cli.HOME.resolve("docker-compose.yml").toString();
    Cli.Result config = Cli.exec(List.of("docker-compose", "-f", compose, "config"), 60);
    assertEquals(0, config.exit(), config.err());
    String text = config.out();
    assertFalse(text.contains("PLAINTEXT"), "a plaintext Kafka listener");
    assertFalse(text.contains(":9092"), "the plaintext Kafka port");
    Map<String, List<String>> blocks = serviceBlocks(text);

    // Kafka runs from the rendered configuration with its own certificate; the setup job too.
    for (String s : List.of("kafka", "kafka-setup")) {
      String b = String.join("\n", blocks.get(s));
      assertTrue(b.contains("/srv/strongroom/pki/clients/kafka-broker.key:ro"), s);
      assertEquals(List.of("kafka-broker"), keysMounted(blocks.get(s)), s);
    }
    assertEquals(List.of("server"), keysMounted(blocks.get("mysql")), "mysql");
    assertFalse(text.contains("ca.key"), "the CA's key mounted");
    assertTrue(String.join("\n", blocks.get("kafka")).contains("/deploy/kafka/server.properties:"));
    assertTrue(String.join("\n", blocks.get("kafka-setup")).contains("/deploy/kafka/setup.sh:"));

    for (String s : SERVICES) {
      String b = String.join("\n", blocks.get(s));
      assertTrue(
          b.contains("/deploy/services/" + s + ".properties:/app/config/application.properties:ro"),
          s + " runs without its TLS configuration");
      // the audit-anchor-service's audit watch reads the chain and writes the anchor state as its
      // own database identity anchor_writer (never the auditor's certificate, which assessors
      // hold) and the data-service writes as app_user
      List<String> own =
          switch (s) {
            case "audit-anchor-service" -> List.of(s, "anchor_writer");
            case "data-service" -> List.of(s, "app_user");
            default -> List.of(s);
          };
      assertEquals(own, keysMounted(blocks.get(s)), s + " sees another identity's key");
      // the CA's CRL, which strongroom.tls.crl names: a revoked caller is refused (401 REVOKED)
      assertTrue(
          b.contains("/deploy/secrets/pki/ca/crl.pem:/srv/strongroom/pki/ca/crl.pem:ro"),
          s + " cannot refuse a revoked caller");
      // the tenant authority's key: the crypto-service's alone (it decrypts only for a token's
      // own certificate); no other service verifies tokens in Java
      assertEquals(
          s.equals("crypto-service"), b.contains("- source: tenant-token-key"), s + ": " + b);
      // the sealing key and the Cloud KMS credentials: the crypto-service's alone
      assertEquals(
          s.equals("crypto-service"), b.contains("- source: crypto-sealing-key"), s + ": " + b);
      assertEquals(
          s.equals("crypto-service"), b.contains("- source: gcp-credentials"), s + ": " + b);
    }

    // The audit watch: after the database, the log key as a secret, the WORM store and its tail
    // state on named volumes made the service user's by the init job; no backup identity, key or
    // keyring (the schedule is off in production, docs/operations.md).
    String audit = String.join("\n", blocks.get("audit-anchor-service"));
    assertTrue(audit.contains("      mysql:\n        condition: service_healthy"), audit);
    assertTrue(
        audit.contains("audit-anchor-init:\n        condition: service_completed_successfully"));
    assertTrue(audit.contains("- source: audit-log-key"), audit);
    assertTrue(audit.contains("- audit-worm:/var/lib/strongroom/audit-anchor/worm:rw"), audit);
    assertTrue(audit.contains("- audit-anchor-state:/var/lib/strongroom/audit-anchor/state:rw"));
    assertFalse(audit.contains("backup"), "the backup identity or key mounted: " + audit);
    assertFalse(audit.contains("auditor"), "the auditor identity mounted: " + audit);
    assertFalse(audit.contains("keyring"), audit);
    for (String s : SERVICES) {
      if (!s.equals("audit-anchor-service")) {
        assertFalse(
            String.join("\n", blocks.get(s)).contains("audit-log-key"), s + " sees the log key");
      }
    }

    // Every mounted deploy/kafka and deploy/services file is a committed, rendered one.
    for (String line : text.lines().toList()) {
      int at = line.indexOf("/deploy/");
      if (at < 0 || line.contains("/deploy/secrets/") || !line.trim().startsWith("- ")) {
        continue;
      }
      String host = line.trim().substring(2).split(":", 2)[0];
      assertTrue(Files.isRegularFile(Path.of(host)), "mounted but missing: " + host);
    }
  }

  /** Lines of each service under {@code services:} in the normalised config. */
  private static Map<String, List<String>> serviceBlocks(String text) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    boolean inServices = false;
    List<String> current = null;
    for (String line : text.lines().toList()) {
      if (!line.startsWith(" ")) {
        inServices = line.equals("services:");
        current = null;
        continue;
      }
      if (!inServices) {
        continue;
      }
      if (line.startsWith("  ") && !line.startsWith("   ") && line.endsWith(":")) {
        current = new ArrayList<>();
        out.put(line.trim().substring(0, line.trim().length() - 1), current);
      } else if (current != null) {
        current.add(line);
      }
    }
    return out;
  }

  /** The identities whose private keys a service block mounts. */
  private static List<String> keysMounted(List<String> block) {
    List<String> out = new ArrayList<>();
    for (String line : block) {
      int at = line.indexOf("/deploy/secrets/pki/");
      if (at >= 0 && line.contains(".key:")) {
        String path = line.substring(at).split(":", 2)[0];
        String file = path.substring(path.lastIndexOf('/') + 1);
        out.add(file.substring(0, file.length() - ".key".length()));
      }
      assertFalse(line.contains("/deploy/secrets/pki:"), "the whole PKI mounted: " + line);
    }
    return out;
  }
}
