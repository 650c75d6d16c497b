package dev.strongroom.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml is the production topology; no Docker engine runs here, so it is validated
 * with {@code docker-compose config} (Debian package docker-compose; ./strongroom test installs
 * it).
 */
class DockerComposeConfigIT {
  @Test
  void composeFile_isValid_andHoldsKafkaAndTheFiveServices() throws Exception {
    String compose = Cli.HOME.resolve("docker-compose.yml").toString();
    Cli.Result quiet = Cli.exec(List.of("docker-compose", "-f", compose, "config", "-q"), 60);
    assertEquals(0, quiet.exit(), quiet.err());
    Cli.Result services =
        Cli.exec(List.of("docker-compose", "-f", compose, "config", "--services"), 60);
    assertEquals(0, services.exit(), services.err());
    List<String> names = services.out().lines().sorted().toList();
    for (String s :
        List.of(
            "kafka",
            "kafka-topics",
            "mysql",
            "mysql-init",
            "crypto-service",
            "data-service",
            "audit-anchor-service",
            "provisioner-service",
            "proof-service")) {
      assertTrue(names.contains(s), "compose lacks " + s + ": " + names);
    }
  }
}
