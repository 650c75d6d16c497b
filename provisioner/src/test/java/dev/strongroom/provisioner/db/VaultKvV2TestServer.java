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
import java.util.concurrent.atomic.AtomicInteger;
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
 *   <li>{@code GET /v1/<mount>/metadata/<id>} → {@code current_version}, {@code oldest_version},
 *       {@code max_versions}, {@code delete_version_after} and {@code versions} with {@code
 *       deletion_time} and {@code destroyed}; {@code GET /v1/<mount>/config} → the mount's limits
 *   <li>{@code POST /v1/<mount>/data/<id>} with {@code {"options":{"cas":n},"data":{…}}} → a new
 *       version holding that {@code data} object as sent (what the server then reads back), 400
 *       when {@code cas} is not the current version, as Vault answers
 *   <li>anything without a known {@code X-Vault-Token} → 403; a write with a read-only token → 403
 * </ul>
 *
 * Versions start at 1; {@link #newVersion(int)} adds a fresh random 256-bit key version, as {@code
 * vault kv put} would.
 */
public final class VaultKvV2TestServer implements AutoCloseable {
  private static final Pattern DATA = Pattern.compile("/v1/([^/]+)/data/(\\d+)");
  private static final Pattern META = Pattern.compile("/v1/([^/]+)/metadata/(\\d+)");
  private final HttpsServer server;
  private final String mount;
  private final Map<String, Boolean> tokens = new ConcurrentHashMap<>();
  private final Map<Integer, List<String>> keys = new ConcurrentHashMap<>();
  private final Map<String, Boolean> deleted = new ConcurrentHashMap<>();
  private volatile int maxVersions;
  private final AtomicInteger writes = new AtomicInteger();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final SecureRandom random = new SecureRandom();

  public VaultKvV2TestServer(Credential tlsIdentity, String mount, String token, int... keyIds)
      throws Exception {
    this(tlsIdentity, 0, mount, token, keyIds);
  }

  /** On loopback port {@code port} (0: any free one). */
  public VaultKvV2TestServer(
      Credential tlsIdentity, int port, String mount, String token, int... keyIds)
      throws Exception {
    this.mount = mount;
    tokens.put(token, true);
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
            new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 16);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx));
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext("/v1/", this::handle);
    server.start();
  }

  /** The URL to give the plugin: {@code https://127.0.0.1:<port>/v1/<mount>}. */
  public URI url() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/v1/" + mount);
  }

  /** Adds a new version of key {@code id}; returns its number. */
  public synchronized int newVersion(int id) {
    byte[] k = new byte[32];
    random.nextBytes(k);
    List<String> versions = keys.get(id);
    versions.add("{\"data\":\"" + HexFormat.of().formatHex(k) + "\"}");
    return versions.size();
  }

  /** Also accepts {@code t}: for reads only, or for reads and writes. */
  public void allow(String t, boolean write) {
    tokens.put(t, write);
  }

  /** No longer accepts {@code t} (Vault revoked it). */
  public void revoke(String t) {
    tokens.remove(t);
  }

  /** The latest version of key {@code id}. */
  public int currentVersion(int id) {
    return keys.get(id).size();
  }

  /** The data object of a version as stored. */
  public String stored(int id, int version) {
    return keys.get(id).get(version - 1);
  }

  /** Marks a version deleted (vault kv delete -versions=…); reads of it then answer 404. */
  public void delete(int id, int version) {
    deleted.put(id + "/" + version, true);
  }

  /** The mount's {@code max_versions} (0: unlimited). */
  public void maxVersions(int n) {
    maxVersions = n;
  }

  /** Versions written through the API (not {@link #newVersion}). */
  public int writes() {
    return writes.get();
  }

  public List<String> requests() {
    return new ArrayList<>(requests);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String query = ex.getRequestURI().getQuery();
    requests.add(
        ex.getRequestMethod().equals("GET")
            ? path + (query == null ? "" : "?" + query)
            : ex.getRequestMethod() + " " + path);
    try (ex) {
      Boolean canWrite =
          tokens.get(String.valueOf(ex.getRequestHeaders().getFirst("X-Vault-Token")));
      boolean get = "GET".equals(ex.getRequestMethod());
      if (canWrite == null || (!get && !("POST".equals(ex.getRequestMethod()) && canWrite))) {
        send(ex, 403, "{\"errors\":[\"permission denied\"]}");
        return;
      }
      if (path.equals("/v1/sys/mounts/" + mount + "/tune")) {
        send(ex, 200, "{\"options\":{\"version\":\"2\"}}");
        return;
      }
      if (path.equals("/v1/" + mount + "/config")) {
        send(
            ex,
            200,
            "{\"data\":{\"cas_required\":false,\"delete_version_after\":\"0s\",\"max_versions\":"
                + maxVersions
                + "}}");
        return;
      }
      Matcher meta = META.matcher(path);
      if (meta.matches() && meta.group(1).equals(mount)) {
        List<String> versions = keys.get(Integer.parseInt(meta.group(2)));
        if (versions == null) {
          send(ex, 404, "{\"errors\":[]}");
          return;
        }
        StringBuilder v = new StringBuilder();
        for (int i = 1; i <= versions.size(); i++) {
          v.append(i > 1 ? "," : "")
              .append('"')
              .append(i)
              .append("\":{\"created_time\":\"2026-12-05T10:00:00Z\",\"deletion_time\":\"")
              .append(deleted.containsKey(meta.group(2) + "/" + i) ? "2026-12-05T10:00:01Z" : "")
              .append("\",\"destroyed\":false}");
        }
        send(
            ex,
            200,
            "{\"data\":{\"current_version\":"
                + versions.size()
                + ",\"oldest_version\":0,\"max_versions\":0,\"delete_version_after\":\"0s\",\"versions\":{"
                + v
                + "}}}");
        return;
      }
      Matcher m = DATA.matcher(path);
      if (!m.matches()
          || !m.group(1).equals(mount)
          || !keys.containsKey(Integer.parseInt(m.group(2)))) {
        send(ex, 404, "{\"errors\":[]}");
        return;
      }
      int id = Integer.parseInt(m.group(2));
      List<String> versions = keys.get(id);
      if (!get) {
        com.fasterxml.jackson.databind.JsonNode body =
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(ex.getRequestBody());
        synchronized (this) {
          com.fasterxml.jackson.databind.JsonNode cas = body.path("options").path("cas");
          if (!cas.isMissingNode() && cas.asInt() != versions.size()) {
            send(
                ex,
                400,
                "{\"errors\":[\"check-and-set parameter did not match the current version\"]}");
            return;
          }
          versions.add(body.get("data").toString());
          writes.incrementAndGet();
          send(
              ex,
              200,
              "{\"data\":{\"created_time\":\"2026-12-05T10:00:00Z\",\"deletion_time\":\"\",\"destroyed\":false,\"version\":"
                  + versions.size()
                  + "}}");
        }
        return;
      }
      int version = versions.size();
      if (query != null && query.startsWith("version=")) {
        version = Integer.parseInt(query.substring("version=".length()));
      }
      if (version < 1 || version > versions.size() || deleted.containsKey(id + "/" + version)) {
        send(ex, 404, "{\"errors\":[]}");
        return;
      }
      send(
          ex,
          200,
          "{\"data\":{\"data\":"
              + versions.get(version - 1)
              + ",\"metadata\":{\"version\":"
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
