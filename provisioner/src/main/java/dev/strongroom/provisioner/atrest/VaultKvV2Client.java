package dev.strongroom.provisioner.atrest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.errors.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The provisioner's own client of a HashiCorp Vault KV version 2 mount holding MariaDB's at-rest
 * keys (the layout {@code hashicorp_key_management} reads: secret {@code <mount>/<keyId>}, its
 * {@code data} member the key in hex). It authenticates with the provisioner's token ({@code
 * X-Vault-Token}), verifies Vault's certificate against the configured CA only, and speaks these
 * calls of the Vault HTTP API:
 *
 * <ul>
 *   <li>{@code GET <mount>/config}: the mount's {@code max_versions} and {@code
 *       delete_version_after};
 *   <li>{@code GET <mount>/metadata/<id>}: {@code current_version}, {@code oldest_version}, the
 *       secret's {@code max_versions} and {@code delete_version_after}, and per version {@code
 *       deletion_time} and {@code destroyed};
 *   <li>{@code GET <mount>/data/<id>?version=<n>}: read only for the version's {@code
 *       strongroom_rotation} member. The key beside it is never kept, logged or returned, and the
 *       response bytes are wiped once parsed; the parsed tree's copy of the key's hex (Java
 *       strings, which cannot be wiped) stays in the heap until the garbage collector reclaims it;
 *   <li>{@code POST <mount>/data/<id>} with {@code
 *       {"options":{"cas":<current>},"data":{"data":"<hex
 *       key>","strongroom_rotation":"<instant>"}}}: a new version, only if nobody wrote one since
 *       {@code current} was read (check-and-set).
 * </ul>
 *
 * It never deletes, destroys or undeletes a version. Errors name the call and Vault's status and
 * {@code errors} text; they never carry the token or a key.
 */
public final class VaultKvV2Client {
  /** The member of a key version's data that names the rotation which wrote it. */
  public static final String ROTATION_MEMBER = "strongroom_rotation";

  private final URI mount;
  private final String token;
  private final HttpClient http;
  private final Duration timeout;

  /** A secret's version bookkeeping. */
  public record Metadata(
      int currentVersion,
      int oldestVersion,
      int maxVersions,
      String deleteVersionAfter,
      List<String> unreadableVersions) {}

  /**
   * @param mount the KV v2 mount URL, {@code https://vault:8200/v1/<mount>} (what the server's
   *     {@code hashicorp_key_management_vault_url} names)
   * @param caPem the CA certificate(s) that verify Vault's certificate (PEM); required for https
   */
  public VaultKvV2Client(URI mount, String token, Path caPem, Duration timeout) {
    this.mount = Objects.requireNonNull(mount, "mount");
    this.token = Objects.requireNonNull(token, "token").strip();
    this.timeout = timeout;
    if (!mount.getPath().matches("/v1/[^/]+") || mount.getQuery() != null) {
      throw new IllegalArgumentException("Vault mount URL must be <scheme>://host/v1/<mount>");
    }
    if (this.token.isEmpty() || !this.token.matches("[\\x21-\\x7e]+")) {
      throw new IllegalArgumentException("Vault token must be printable ASCII without spaces");
    }
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout);
    if ("https".equals(mount.getScheme())) {
      if (caPem == null) {
        throw new AtRestException(
            "Vault URL "
                + mount
                + " is https but no CA is given to verify Vault's certificate"
                + " (strongroom.provisioner.vault.ca)");
      }
      b.sslContext(trusting(caPem));
    } else if (!"http".equals(mount.getScheme()) || !"127.0.0.1".equals(mount.getHost())) {
      throw new IllegalArgumentException("Vault URL must be https (plain http on 127.0.0.1 only)");
    }
    this.http = b.build();
  }

  /**
   * Reads the token from a file (first line); the file is the provisioner's own and is refused when
   * its group or others have any permission on it.
   */
  public static VaultKvV2Client withTokenFile(
      URI mount, Path tokenFile, Path caPem, Duration timeout) {
    try {
      String open = dev.strongroom.provisioner.os.SecureFiles.openToOthers(tokenFile);
      if (open != null) {
        throw new AtRestException(
            "Vault token file "
                + tokenFile
                + " is open to other accounts (mode "
                + open
                + "): the provisioner's Vault token writes at-rest keys; chmod 600 it (and get a"
                + " new token if others could read this one)");
      }
      return new VaultKvV2Client(
          mount, Files.readString(tokenFile).lines().findFirst().orElse(""), caPem, timeout);
    } catch (IOException e) {
      throw new AtRestException("cannot read the Vault token file " + tokenFile + ": " + e);
    } catch (IllegalArgumentException e) {
      throw new AtRestException("Vault token file " + tokenFile + ": " + e.getMessage());
    }
  }

  public URI mount() {
    return mount;
  }

  /**
   * The mount's own limits: {@code max_versions} and {@code delete_version_after}.
   *
   * @throws VaultException when Vault has no such mount (404) or answers without a {@code data}
   *     object
   */
  public Metadata mountConfig() {
    String what = "read the mount's configuration";
    JsonNode d =
        data(
            get("/config", what)
                .orElseThrow(
                    () ->
                        new VaultException(
                            ErrorCode.REFUSED,
                            "Vault at "
                                + mount
                                + " has no KV v2 mount there (HTTP 404) to "
                                + what)),
            what);
    return new Metadata(
        0,
        0,
        d.path("max_versions").asInt(0),
        d.path("delete_version_after").asText("0s"),
        List.of());
  }

  /** The secret of key {@code keyId}; empty when Vault has no such secret (404). */
  public Optional<Metadata> metadata(int keyId) {
    return get("/metadata/" + keyId, "read key " + keyId + "'s versions")
        .map(
            j -> {
              JsonNode d = data(j, "read key " + keyId + "'s versions");
              int current = d.path("current_version").asInt(0);
              List<String> bad = new ArrayList<>();
              JsonNode versions = d.path("versions");
              for (int v = 1; v <= current; v++) {
                JsonNode s = versions.path(Integer.toString(v));
                if (s.isMissingNode()) {
                  bad.add("version " + v + " is gone");
                } else if (s.path("destroyed").asBoolean(false)) {
                  bad.add("version " + v + " is destroyed");
                } else if (!s.path("deletion_time").asText("").isEmpty()) {
                  bad.add("version " + v + " is deleted");
                }
              }
              return new Metadata(
                  current,
                  d.path("oldest_version").asInt(0),
                  d.path("max_versions").asInt(0),
                  d.path("delete_version_after").asText("0s"),
                  bad);
            });
  }

  /**
   * The {@value #ROTATION_MEMBER} member of version {@code version} of key {@code keyId}; empty
   * when the version has none (written by hand or by an earlier tool).
   */
  public Optional<String> rotationOf(int keyId, int version) {
    JsonNode j =
        get(
                "/data/" + keyId + "?version=" + version,
                "read version " + version + " of key " + keyId)
            .orElseThrow(
                () ->
                    new VaultException(
                        ErrorCode.REFUSED,
                        "Vault at " + mount + " has no version " + version + " of key " + keyId));
    JsonNode m = j.path("data").path("data").path(ROTATION_MEMBER);
    return m.isTextual() ? Optional.of(m.asText()) : Optional.empty();
  }

  /**
   * Writes {@code key} as the next version of key {@code keyId}, only if the current version is
   * still {@code current}; returns the new version number. The caller wipes {@code key}.
   */
  public int write(int keyId, byte[] key, int current, String rotation) {
    ObjectNode body = CanonicalJson.mapper().createObjectNode();
    body.putObject("options").put("cas", current);
    ObjectNode data = body.putObject("data");
    data.put("data", HexFormat.of().formatHex(key));
    data.put(ROTATION_MEMBER, rotation);
    byte[] bytes;
    try {
      bytes = CanonicalJson.mapper().writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    try {
      HttpResponse<byte[]> r =
          send(
              HttpRequest.newBuilder(uri("/data/" + keyId))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)),
              "write a version of key " + keyId);
      if (r.statusCode() / 100 != 2) {
        throw refused(r, "write a version of key " + keyId);
      }
      int v = CanonicalJson.mapper().readTree(r.body()).path("data").path("version").asInt(0);
      if (v != current + 1) {
        throw new VaultException(
            ErrorCode.INTERNAL,
            "Vault at "
                + mount
                + " answered version "
                + v
                + " for key "
                + keyId
                + ", not "
                + (current + 1));
      }
      return v;
    } catch (IOException e) {
      throw new VaultException(
          ErrorCode.UNAVAILABLE, "Vault at " + mount + " unreadable answer: " + e.getMessage());
    } finally {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
  }

  /** The answer's {@code data} object; anything else is an unreadable answer. */
  private JsonNode data(JsonNode answer, String what) {
    JsonNode d = answer.path("data");
    if (!d.isObject()) {
      throw new VaultException(
          ErrorCode.UNAVAILABLE,
          "Vault at " + mount + " gave an unreadable answer (no data object) to " + what);
    }
    return d;
  }

  private Optional<JsonNode> get(String path, String what) {
    HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri(path)).GET(), what);
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    if (r.statusCode() / 100 != 2) {
      throw refused(r, what);
    }
    try {
      JsonNode answer = CanonicalJson.mapper().readTree(r.body());
      return Optional.of(answer == null ? MissingNode.getInstance() : answer);
    } catch (IOException e) {
      throw new VaultException(
          ErrorCode.UNAVAILABLE, "Vault at " + mount + " gave an unreadable answer to " + what);
    } finally {
      // a data/<id> answer holds a key in hex
      java.util.Arrays.fill(r.body(), (byte) 0);
    }
  }

  private URI uri(String path) {
    return URI.create(mount + path);
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder b, String what) {
    try {
      return http.send(
          b.header("X-Vault-Token", token)
              .header("Content-Type", "application/json")
              .timeout(timeout)
              .build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new VaultException(
          ErrorCode.UNAVAILABLE,
          "cannot reach Vault at " + mount + " to " + what + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VaultException(ErrorCode.UNAVAILABLE, "interrupted talking to Vault");
    }
  }

  private VaultException refused(HttpResponse<byte[]> r, String what) {
    String errors;
    try {
      errors = CanonicalJson.mapper().readTree(r.body()).path("errors").toString();
    } catch (IOException e) {
      errors = "(no JSON)";
    }
    if (errors.length() > 300) {
      errors = errors.substring(0, 300) + "…";
    }
    String who =
        r.statusCode() == 403
            ? "refused this provisioner's token"
            : r.statusCode() == 400 ? "refused the request" : "failed";
    return new VaultException(
        r.statusCode() == 403 || r.statusCode() == 400 ? ErrorCode.REFUSED : ErrorCode.UNAVAILABLE,
        "Vault at "
            + mount
            + " "
            + who
            + " (HTTP "
            + r.statusCode()
            + " "
            + errors
            + ") to "
            + what);
  }

  private static SSLContext trusting(Path caPem) {
    try (InputStream in = Files.newInputStream(caPem)) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      if (i == 0) {
        throw new AtRestException("no certificate in the Vault CA file " + caPem);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new AtRestException("cannot read the Vault CA file " + caPem + ": " + e);
    }
  }

  /** Vault refused, failed or could not be reached; the message names the call. */
  public static final class VaultException extends dev.strongroom.provisioner.ProvisionerException {
    private static final long serialVersionUID = 1L;

    VaultException(ErrorCode code, String detail) {
      super(code, detail);
    }
  }
}
