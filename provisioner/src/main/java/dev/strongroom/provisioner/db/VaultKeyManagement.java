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
 * @param token the Vault token, written into the 0600 option file
 * @param caFile CA bundle to verify Vault's certificate; required for {@code https}
 * @param cacheVersionTimeoutMs how long the plugin trusts a cached "latest version" (the plugin
 *     measures it in server CPU time, via {@code clock()})
 */
public record VaultKeyManagement(URI url, String token, Path caFile, int cacheVersionTimeoutMs) {
  public VaultKeyManagement {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(token, "token");
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
    if (token.isBlank() || !token.matches("[\\x21-\\x7e]+") || token.contains("#")) {
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

  @Override
  public String toString() {
    return "VaultKeyManagement[url=" + url + ", token=***, caFile=" + caFile + "]";
  }
}
