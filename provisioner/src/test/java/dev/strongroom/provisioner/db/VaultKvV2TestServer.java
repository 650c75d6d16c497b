package dev.strongroom.provisioner.db;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.strongroom.provisioner.pki.Credential;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A small in-process HTTPS server speaking the part of the Vault HTTP API that MariaDB's {@code
 * hashicorp_key_management} plugin uses, on 127.0.0.1 with the PKI's server certificate:
 *
 * <ul>
 *   <li>{@code GET /v1/sys/mounts/<mount>/tune} → {@code {"options":{"version":"2"}}}
 *   <li>{@code GET /v1/<mount>/data/<id>[?version=<n>]} → {@code {"data":{"data":{"data":"<hex
 *       key>"},"metadata":{"version":<n>}}}}, 404 for an unknown id or version
 *   <li>anything without the right {@code X-Vault-Token} → 403
 * </ul>
 *
 * Versions start at 1; {@link #newVersion(int)} adds a fresh random 256-bit key version, as {@code
 * vault kv put} would.
 */
final class VaultKvV2TestServer implements AutoCloseable {
  private static final Pattern DATA = Pattern.compile("/v1/([^/]+)/data/(\\d+)");
  private final HttpsServer server;
  private final String mount;
  private final String token;
  private final Map<Integer, List<byte[]>> keys = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final SecureRandom random = new SecureRandom();

  VaultKvV2TestServer(Credential tlsIdentity, String mount, String token, int... keyIds)
      throws Exception {
    this.mount = mount;
    this.token = token;
    for (int id : keyIds) {
      keys.put(id, new CopyOnWriteArrayList<>());
      newVersion(id);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    char[] pw = Files.readString(tlsIdentity.pkcs12Password()).toCharArray();
    try (InputStream in = Files.newInputStream(tlsIdentity.pkcs12())) {
      ks.load(in, pw);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), null, null);
    server =
        HttpsServer.create(
            new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 16);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx));
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext("/v1/", this::handle);
    server.start();
  }

  /** The URL to give the plugin: {@code https://127.0.0.1:<port>/v1/<mount>}. */
  URI url() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/v1/" + mount);
  }

  /** Adds a new version of key {@code id}; returns its number. */
  synchronized int newVersion(int id) {
    byte[] k = new byte[32];
    random.nextBytes(k);
    List<byte[]> versions = keys.get(id);
    versions.add(k);
    return versions.size();
  }

  List<String> requests() {
    return new ArrayList<>(requests);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String query = ex.getRequestURI().getQuery();
    requests.add(path + (query == null ? "" : "?" + query));
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod())
          || !token.equals(ex.getRequestHeaders().getFirst("X-Vault-Token"))) {
        send(ex, 403, "{\"errors\":[\"permission denied\"]}");
        return;
      }
      if (path.equals("/v1/sys/mounts/" + mount + "/tune")) {
        send(ex, 200, "{\"options\":{\"version\":\"2\"}}");
        return;
      }
      Matcher m = DATA.matcher(path);
      if (!m.matches()
          || !m.group(1).equals(mount)
          || !keys.containsKey(Integer.parseInt(m.group(2)))) {
        send(ex, 404, "{\"errors\":[]}");
        return;
      }
      List<byte[]> versions = keys.get(Integer.parseInt(m.group(2)));
      int version = versions.size();
      if (query != null && query.startsWith("version=")) {
        version = Integer.parseInt(query.substring("version=".length()));
      }
      if (version < 1 || version > versions.size()) {
        send(ex, 404, "{\"errors\":[]}");
        return;
      }
      send(
          ex,
          200,
          "{\"data\":{\"data\":{\"data\":\""
              + HexFormat.of().formatHex(versions.get(version - 1))
              + "\"},\"metadata\":{\"version\":"
              + version
              + "}}}");
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
