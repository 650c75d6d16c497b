package dev.strongroom.auditanchor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The audit-anchor-service's own settings (docs/configuration.md). */
@ConfigMapping(prefix = "strongroom.audit-anchor")
public interface AnchorConfig {
  /** Whether the watch runs; off by default (a service started without a database stays idle). */
  @WithDefault("false")
  boolean enabled();

  /** This instance's lease name, unique per instance ({@code [A-Za-z0-9._:@-]{1,128}}). */
  Optional<String> holder();

  /** How often the watch ticks (1 s .. 1 h). */
  @WithDefault("PT60S")
  Duration interval();

  /** How long a lease lasts unrenewed; at least twice {@link #interval()}. */
  @WithDefault("PT150S")
  Duration leaseTtl();

  /** Where the tail keeps its state (the last verified seq and head). */
  Optional<Path> stateDir();

  /**
   * The log key: a file holding the C2SP signer key {@code PRIVATE+KEY+<origin>+<hex
   * id>+base64(0x01 || seed)} (golang.org/x/mod sumdb/note form; the name is the log's origin).
   * Required with {@link #worm()}.
   */
  Optional<Path> logKey();

  /** Where checkpoints, tiles and bundles are published; absent: the watch publishes nothing. */
  Optional<Worm> worm();

  /** The WORM sink (DESIGN §5). */
  interface Worm {
    /** The kind of store. */
    WormKind kind();

    /** For {@code local-dir}: the directory (created if missing); for {@code gcs}: the bucket. */
    String location();

    /** For {@code gcs}: the Google Cloud project (required). */
    Optional<String> gcsProject();

    /**
     * For {@code gcs}: a plaintext endpoint speaking the Cloud Storage JSON API instead of
     * Google's, without credentials ({@code FakeCloudStorageServer}: tests and the embedded stack
     * only); absent: Google's endpoint with Application Default Credentials.
     */
    Optional<String> gcsEndpoint();

    /**
     * For {@code gcs}: the bucket's locked retention period must be at least this long; any locked
     * period when absent.
     */
    Optional<Duration> minRetention();
  }

  /** The WORM stores the service can write. */
  enum WormKind {
    /** A local create-only directory ({@code LocalDirWormStore}): the embedded stack. */
    LOCAL_DIR,
    /**
     * A Cloud Storage bucket ({@code GcsObjectStore}): {@code ifGenerationMatch=0} on every write,
     * and the service refuses to start unless the bucket's retention policy is locked.
     */
    GCS
  }

  /**
   * The syslog collector every anchored checkpoint is also sent to (RFC 5424, DESIGN §5); absent:
   * none. Needs {@link #worm()}.
   */
  Optional<Syslog> syslog();

  /** A syslog collector (docs/audit-anchor-service.md, "Syslog"). */
  interface Syslog {
    /** How messages travel. */
    SyslogKind transport();

    /** The collector's host (for {@code tls}, a name its certificate carries). */
    String host();

    /** The collector's port (commonly 6514 for tls, 514 for udp). */
    int port();

    /** The messages' HOSTNAME field; this machine's host name when absent. */
    Optional<String> hostname();

    /**
     * For {@code tls}: the CA (PEM) the collector's certificate must chain to; the stack CA ({@code
     * strongroom.tls.ca}) when absent. The service presents its own certificate ({@code
     * strongroom.tls.cert}/{@code key}).
     */
    Optional<java.nio.file.Path> caCert();

    /** For {@code udp}: the largest datagram in octets (480..65507); 2048 when absent. */
    Optional<Integer> udpMaxSize();
  }

  /** Syslog transports. */
  enum SyslogKind {
    /** TLS 1.3 over TCP with octet counting (RFC 5425), mutual TLS. */
    TLS,
    /** Plain TCP with octet counting (RFC 6587 §3.4.1): a trusted network only. */
    TCP,
    /** UDP, one message per datagram (RFC 5426): no delivery guarantee. */
    UDP
  }

  /**
   * Witnesses (c2sp.org/tlog-witness) the newest checkpoint is sent to every tick, by a name of the
   * operator's choice ({@code strongroom.audit-anchor.witnesses.<name>.url|key}); none by default.
   * Needs {@link #worm()}.
   */
  java.util.Map<String, Witness> witnesses();

  /** One witness. */
  interface Witness {
    /** Its submission prefix: the URL before {@code /add-checkpoint} (http or https). */
    String url();

    /** Its cosignature/v1 verifier key, {@code <name>+<hex key ID>+base64(0x04 || key)}. */
    String key();
  }

  /**
   * The database, as the service's own identity {@code anchor_writer}
   * (docs/audit-anchor-service.md, "Database identity"): it reads what it tails and alone may take
   * the anchor lease, append anchors and record sink deliveries; the {@code auditor} certificate
   * assessors hold cannot.
   */
  Optional<Db> db();

  /** Connection to the audit schema. */
  interface Db {
    /** Server host (its certificate must name it). */
    String host();

    /** Server port. */
    int port();

    /** The stack CA (PEM). */
    Path caCert();

    /** The {@code anchor_writer} client certificate (PEM). */
    Path cert();

    /** The {@code anchor_writer} key (PEM, unencrypted PKCS#8). */
    Path key();

    /**
     * The login (the certificate's identity); {@code anchor_writer} when absent (no default here: a
     * default would make the optional group present, and its other members required).
     */
    Optional<String> user();
  }
}
