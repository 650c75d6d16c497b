package dev.strongroom.provisioner.atrest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import dev.strongroom.contracts.errors.ErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's refusals as typed {@link AtRestException}s / {@link VaultKvV2Client.VaultException}s
 * (never a NullPointerException or NoSuchElementException, which a provisioning run would
 * dead-letter instead of recording as FAILED), against a plain-http Vault stand-in on 127.0.0.1
 * that answers canned bodies per path.
 */
class VaultKvV2ClientTest {
  private HttpServer server;

  /** Path (with query) to {status, body}; anything else 404. */
  private final Map<String, Object[]> answers = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        x -> {
          Object[] a = answers.getOrDefault(x.getRequestURI().toString(), new Object[] {404, ""});
          byte[] body = ((String) a[1]).getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders((Integer) a[0], body.length == 0 ? -1 : body.length);
          try (OutputStream o = x.getResponseBody()) {
            o.write(body);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private VaultKvV2Client client() {
    return new VaultKvV2Client(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/kv"),
        "s.provisioner",
        null,
        Duration.ofSeconds(5));
  }

  @Test
  void httpsWithoutCa_isRefusedTyped() {
    AtRestException e =
        assertThrows(
            AtRestException.class,
            () ->
                new VaultKvV2Client(
                    URI.create("https://vault.example:8200/v1/kv"),
                    "s.provisioner",
                    null,
                    Duration.ofSeconds(5)));
    assertEquals(
        "INTERNAL: Vault URL https://vault.example:8200/v1/kv is https but no CA is given to"
            + " verify Vault's certificate (strongroom.provisioner.vault.ca)",
        e.getMessage());
  }

  @Test
  void mountConfig404_isAVaultException() {
    VaultKvV2Client.VaultException e =
        assertThrows(VaultKvV2Client.VaultException.class, () -> client().mountConfig());
    assertEquals(ErrorCode.REFUSED, e.code());
    assertEquals(
        "REFUSED: Vault at "
            + client().mount()
            + " has no KV v2 mount there (HTTP 404) to read the mount's configuration",
        e.getMessage());
  }

  @Test
  void mountConfigWithoutData_isAVaultException() {
    answers.put("/v1/kv/config", new Object[] {200, "{\"data\":null}"});
    VaultKvV2Client.VaultException e =
        assertThrows(VaultKvV2Client.VaultException.class, () -> client().mountConfig());
    assertEquals(ErrorCode.UNAVAILABLE, e.code());
    assertEquals(
        "UNAVAILABLE: Vault at "
            + client().mount()
            + " gave an unreadable answer (no data object) to read the mount's configuration",
        e.getMessage());
  }

  @Test
  void emptyOrMalformedAnswers_areVaultExceptions() {
    answers.put("/v1/kv/config", new Object[] {200, ""});
    answers.put("/v1/kv/metadata/1", new Object[] {200, "{\"data\":"});
    answers.put("/v1/kv/metadata/2", new Object[] {200, "{\"warnings\":[]}"});
    assertThrows(VaultKvV2Client.VaultException.class, () -> client().mountConfig());
    assertThrows(VaultKvV2Client.VaultException.class, () -> client().metadata(1));
    assertThrows(VaultKvV2Client.VaultException.class, () -> client().metadata(2));
  }

  @Test
  void wellFormedMountConfig_isRead() {
    answers.put(
        "/v1/kv/config",
        new Object[] {200, "{\"data\":{\"max_versions\":0,\"delete_version_after\":\"0s\"}}"});
    assertEquals(0, client().mountConfig().maxVersions());
  }

  @Test
  void tokenFileOpenToOthers_isRefused(@TempDir Path dir) throws IOException {
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/kv");
    Path token = dir.resolve("vault-token");
    Files.writeString(token, "s.provisioner\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r-----"));
    AtRestException e =
        assertThrows(
            AtRestException.class,
            () -> VaultKvV2Client.withTokenFile(url, token, null, Duration.ofSeconds(5)));
    assertEquals(
        "INTERNAL: Vault token file "
            + token
            + " is open to other accounts (mode rw-r-----): the provisioner's Vault token writes"
            + " at-rest keys; chmod 600 it (and get a new token if others could read this one)",
        e.getMessage());
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-----w-"));
    assertThrows(
        AtRestException.class,
        () -> VaultKvV2Client.withTokenFile(url, token, null, Duration.ofSeconds(5)));
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    assertEquals(
        url, VaultKvV2Client.withTokenFile(url, token, null, Duration.ofSeconds(5)).mount());
  }
}
