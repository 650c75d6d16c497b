package dev.strongroom.proof.run;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The database a proof attacks: what {@code stack.json}'s {@code db.*} says (DESIGN §7).
 *
 * @param socket the installer's local socket (root); empty when the prover has no installer access
 *     (then the controls that need it are NOT_APPLICABLE)
 * @param identities name → certificate and key (PEM) of {@code app_user}, {@code auditor}, {@code
 *     migration}, {@code anchor_writer} (and {@code backup}, which no control uses)
 */
public record DbTarget(
    String host,
    int port,
    Optional<Path> socket,
    String dialect,
    String database,
    Optional<Path> dataDir,
    Path caCert,
    Map<String, CertKey> identities) {
  /** A PEM certificate and its key. */
  public record CertKey(Path cert, Path key) {}

  public DbTarget {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(dialect, "dialect");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(caCert, "caCert");
    identities = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(identities));
  }

  public CertKey identity(String name) {
    CertKey ck = identities.get(name);
    if (ck == null) {
      throw new IllegalStateException("the target names no credentials for " + name);
    }
    return ck;
  }

  /** The target's name in results: {@code mariadb-10.11@127.0.0.1:3306/strongroom}. */
  public String describe() {
    return dialect + "@" + host + ":" + port + "/" + database;
  }
}
