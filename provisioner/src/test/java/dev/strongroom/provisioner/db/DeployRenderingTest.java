package dev.strongroom.provisioner.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The production topology's MySQL 8.4 configuration ({@code deploy/mysql/}, mounted by
 * docker-compose.yml) is the renderer's output, not a hand-edited copy: container paths under
 * {@code /srv/strongroom}, port 3306, listening on the stack's private network (no published port).
 * Regenerate with {@code -Ddeploy.update=true} and review the diff.
 */
class DeployRenderingTest {
  private static final Path DEPLOY = Path.of("../deploy/mysql");

  @Test
  void composeMysqlConfig_isTheRenderersOutput() throws IOException {
    ServerSettings settings =
        ServerSettings.builder(
                Dialect.MYSQL_8_4,
                new InstanceLayout(Path.of("/srv/strongroom/db")),
                new TlsFiles(
                    Path.of("/srv/strongroom/pki/ca/ca.pem"),
                    Path.of("/srv/strongroom/pki/server/server.pem"),
                    Path.of("/srv/strongroom/pki/server/server.key"),
                    Path.of("/srv/strongroom/pki/ca/crl.pem")))
            .osUser("mysql")
            .port(3306)
            .bindAddress("0.0.0.0")
            .build();
    RenderedConfig rendered = OptionFileRenderer.render(settings);
    check("strongroom.cnf", rendered.optionFile());
    for (RenderedConfig.Companion c : rendered.companions()) {
      check(c.name() + ".json", c.content());
    }
  }

  private static void check(String name, String content) throws IOException {
    Path file = DEPLOY.resolve(name);
    if (Boolean.getBoolean("deploy.update")) {
      Files.createDirectories(DEPLOY);
      Files.writeString(file, content, StandardCharsets.UTF_8);
      return;
    }
    assertEquals(
        content,
        Files.readString(file, StandardCharsets.UTF_8),
        "deploy/mysql/" + name + " differs from the renderer");
  }
}
