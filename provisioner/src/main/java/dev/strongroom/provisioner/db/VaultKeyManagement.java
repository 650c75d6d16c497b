package dev.strongroom.provisioner.db;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * At-rest keys from a HashiCorp Vault KV version 2 store through MariaDB's {@code
 * hashicorp_key_management} plugin, instead of the local {@code file_key_management} key file.
 *
 * <p>The plugin reads key {@code <id>} from {@code GET <url>/data/<id>} (latest) or {@code
 * …/data/<id>?version=<n>} with header {@code X-Vault-Token}; the secret's {@code data} member
 * holds the key as hex. At start it checks {@code GET <server>/v1/sys/mounts/<mount>/tune} reports
 * {@code options.version >= 2}. A new secret version is a new key version: InnoDB's encryption
 * threads re-encrypt every page whose key is more than {@code innodb_encryption_rotate_key_age}
 * (rendered as 1) versions old — so pages move once the latest version is two ahead of theirs.
 *
 * @param url the KV mount URL, e.g. {@code https://vault:8200/v1/strongroom} (must contain {@code
 *     /v1/})
 * @param token the Vault token, written into the 0600 option file; null when {@code tokenFile}
 *     names the option file that holds it
 * @param caFile CA bundle to verify Vault's certificate; required for {@code https}
 * @param cacheVersionTimeoutMs how long the plugin trusts a cached "latest version" (the plugin
 *     measures it in server CPU time, via {@code clock()})
 * @param tokenFile an option file, placed by the operator, holding a {@code [mariadbd]} group with
 *     the {@code hashicorp_key_management_token=} line: the rendered option file {@code !include}s
 *     it instead of carrying the token (a host's option file is rendered and shipped by a plan that
 *     must never hold the server's token); null when {@code token} is given
 */
public record VaultKeyManagement(
    URI url, String token, Path caFile, int cacheVersionTimeoutMs, Path tokenFile) {
  /** The token written into the option file itself (the embedded instance). */
  public VaultKeyManagement(URI url, String token, Path caFile, int cacheVersionTimeoutMs) {
    this(url, Objects.requireNonNull(token, "token"), caFile, cacheVersionTimeoutMs, null);
  }

  /** The token {@code !include}d from {@code tokenFile} (see the record's description). */
  public static VaultKeyManagement withTokenFile(
      URI url, Path tokenFile, Path caFile, int cacheVersionTimeoutMs) {
    return new VaultKeyManagement(
        url, null, caFile, cacheVersionTimeoutMs, Objects.requireNonNull(tokenFile, "tokenFile"));
  }

  public VaultKeyManagement {
    Objects.requireNonNull(url, "url");
    if ((token == null) == (tokenFile == null)) {
      throw new IllegalArgumentException("give either the token or the file that holds it");
    }
    if (tokenFile != null
        && (!tokenFile.isAbsolute() || !tokenFile.normalize().equals(tokenFile))) {
      throw new IllegalArgumentException("the token file must be an absolute normalized path");
    }
    String scheme = url.getScheme();
    if (!"https".equals(scheme) && !"http".equals(scheme)) {
      throw new IllegalArgumentException("Vault URL must be https (or http on loopback): " + url);
    }
    if ("http".equals(scheme) && !"127.0.0.1".equals(url.getHost())) {
      throw new IllegalArgumentException(
          "plain http to Vault is allowed on 127.0.0.1 only: " + url);
    }
    if ("https".equals(scheme) && caFile == null) {
      throw new IllegalArgumentException("an https Vault URL needs the CA file that verifies it");
    }
    if (url.getPath() == null || !url.getPath().matches("/v1/[^/].*")) {
      throw new IllegalArgumentException("Vault URL path must be /v1/<mount>: " + url);
    }
    if (token != null
        && (token.isBlank() || !token.matches("[\\x21-\\x7e]+") || token.contains("#"))) {
      throw new IllegalArgumentException("token must be printable ASCII without spaces or '#'");
    }
    if (cacheVersionTimeoutMs < 0) {
      throw new IllegalArgumentException("cacheVersionTimeoutMs must be >= 0");
    }
    caFile = caFile == null ? null : caFile.toAbsolutePath().normalize();
  }

  public Optional<Path> ca() {
    return Optional.ofNullable(caFile);
  }

  /** The option file the token is included from, when the option file does not carry it. */
  public Optional<Path> tokenFileIfGiven() {
    return Optional.ofNullable(tokenFile);
  }

  @Override
  public String toString() {
    return "VaultKeyManagement[url="
        + url
        + (token == null ? ", tokenFile=" + tokenFile : ", token=***")
        + ", caFile="
        + caFile
        + "]";
  }
}
