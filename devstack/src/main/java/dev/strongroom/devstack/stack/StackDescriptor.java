package dev.strongroom.devstack.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.tls.TlsIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code .strongroom/stack.json} (DESIGN §7, normative): nested objects, absolute paths. Only parts
 * that exist are written: {@code version}, {@code kafka.bootstrap}, {@code kafka.logDir}, {@code
 * kafka.security.protocol|caCert|clientCert|clientKey} (the operator's identity, enough for a stock
 * Kafka client: {@code security.protocol=SSL}, {@code ssl.keystore.type=PEM} with the certificate
 * chain and key, {@code ssl.truststore.type=PEM} with the CA), {@code db.*} (host, port, socket,
 * dialect, database, dataDir, caCert,
 * identities.&lt;app_user|auditor|migration|backup|anchor_writer&gt;.cert|key), {@code
 * services.<crypto|data|audit|provisioner|proof>} (plain http on loopback until the services get
 * certificates), {@code clients.operator.cert|key}, {@code logs.dir}, {@code worm.kind|location}
 * and {@code audit.verifierKey|verifierKeyPem} (the audit log's WORM store and key). Later
 * capabilities add {@code evidence.*}.
 */
public record StackDescriptor(
    String kafkaBootstrap,
    Path kafkaLogDir,
    Optional<KafkaSecurity> kafkaSecurity,
    Optional<Db> db,
    Map<ServiceModule, String> services,
    Optional<CertKey> operator,
    Path logsDir,
    Optional<Worm> worm,
    Optional<AuditKey> audit) {
  public static final int VERSION = 1;

  /** A stack without the audit plane's WORM store and log key. */
  public StackDescriptor(
      String kafkaBootstrap,
      Path kafkaLogDir,
      Optional<KafkaSecurity> kafkaSecurity,
      Optional<Db> db,
      Map<ServiceModule, String> services,
      Optional<CertKey> operator,
      Path logsDir) {
    this(
        kafkaBootstrap,
        kafkaLogDir,
        kafkaSecurity,
        db,
        services,
        operator,
        logsDir,
        Optional.empty(),
        Optional.empty());
  }

  /** {@code worm.kind} ({@code local-dir} or {@code gcs}) and {@code worm.location}. */
  public record Worm(String kind, String location) {}

  /**
   * {@code audit.verifierKey} (C2SP vkey {@code name+hash+base64}) and {@code audit.verifierKeyPem}
   * (the same Ed25519 public key as a PEM file).
   */
  public record AuditKey(String verifierKey, Path verifierKeyPem) {}

  /** A PEM certificate and its PKCS#8 key, usable by the stock mariadb/mysql client. */
  public record CertKey(Path cert, Path key) {}

  /**
   * {@code kafka.security}: the protocol ({@code SSL}), the CA and the operator's client
   * certificate and unencrypted PKCS#8 key, all PEM files.
   */
  public record KafkaSecurity(String protocol, Path caCert, Path clientCert, Path clientKey) {
    /** The operator's identity as {@link TlsIdentity}, to build Kafka clients from. */
    public TlsIdentity operator() {
      return new TlsIdentity("operator", caCert, clientCert, clientKey);
    }
  }

  /** The database part. */
  public record Db(
      String host,
      int port,
      Path socket,
      String dialect,
      String database,
      Path dataDir,
      Path caCert,
      Map<String, CertKey> identities) {
    public Db {
      identities = Collections.unmodifiableMap(new LinkedHashMap<>(identities));
    }
  }

  public StackDescriptor {
    services = Collections.unmodifiableMap(new EnumMap<>(services)); // DESIGN order
  }

  public byte[] toJson() {
    ObjectNode root = CanonicalJson.mapper().createObjectNode();
    root.put("version", VERSION);
    ObjectNode kafka = root.putObject("kafka");
    kafka.put("bootstrap", kafkaBootstrap);
    kafka.put("logDir", kafkaLogDir.toAbsolutePath().toString());
    kafkaSecurity.ifPresent(
        k -> {
          ObjectNode n = kafka.putObject("security");
          n.put("protocol", k.protocol());
          n.put("caCert", k.caCert().toAbsolutePath().toString());
          n.put("clientCert", k.clientCert().toAbsolutePath().toString());
          n.put("clientKey", k.clientKey().toAbsolutePath().toString());
        });
    db.ifPresent(
        d -> {
          ObjectNode n = root.putObject("db");
          n.put("host", d.host());
          n.put("port", d.port());
          n.put("socket", d.socket().toAbsolutePath().toString());
          n.put("dialect", d.dialect());
          n.put("database", d.database());
          n.put("dataDir", d.dataDir().toAbsolutePath().toString());
          n.put("caCert", d.caCert().toAbsolutePath().toString());
          ObjectNode ids = n.putObject("identities");
          d.identities().forEach((name, ck) -> certKey(ids.putObject(name), ck));
        });
    ObjectNode svc = root.putObject("services");
    for (ServiceModule s : ServiceModule.values()) {
      if (services.containsKey(s)) {
        svc.put(s.key(), services.get(s));
      }
    }
    operator.ifPresent(o -> certKey(root.putObject("clients").putObject("operator"), o));
    worm.ifPresent(
        w -> {
          ObjectNode n = root.putObject("worm");
          n.put("kind", w.kind());
          n.put("location", w.location());
        });
    audit.ifPresent(
        a -> {
          ObjectNode n = root.putObject("audit");
          n.put("verifierKey", a.verifierKey());
          n.put("verifierKeyPem", a.verifierKeyPem().toAbsolutePath().toString());
        });
    root.putObject("logs").put("dir", logsDir.toAbsolutePath().toString());
    try {
      return (CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root)
              + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void certKey(ObjectNode n, CertKey ck) {
    n.put("cert", ck.cert().toAbsolutePath().toString());
    n.put("key", ck.key().toAbsolutePath().toString());
  }

  private static CertKey certKey(JsonNode n) {
    return new CertKey(Path.of(n.path("cert").asText()), Path.of(n.path("key").asText()));
  }

  public static StackDescriptor fromJson(byte[] json) {
    JsonNode root = CanonicalJson.parse(json);
    if (root.path("version").asInt() != VERSION) {
      throw new IllegalArgumentException("stack.json version must be " + VERSION);
    }
    Map<ServiceModule, String> services = new EnumMap<>(ServiceModule.class);
    for (ServiceModule s : ServiceModule.values()) {
      JsonNode url = root.path("services").get(s.key());
      if (url != null) {
        services.put(s, url.asText());
      }
    }
    Optional<Db> db = Optional.empty();
    JsonNode d = root.get("db");
    if (d != null) {
      Map<String, CertKey> ids = new LinkedHashMap<>();
      d.path("identities").properties().forEach(e -> ids.put(e.getKey(), certKey(e.getValue())));
      db =
          Optional.of(
              new Db(
                  d.path("host").asText(),
                  d.path("port").asInt(),
                  Path.of(d.path("socket").asText()),
                  d.path("dialect").asText(),
                  d.path("database").asText(),
                  Path.of(d.path("dataDir").asText()),
                  Path.of(d.path("caCert").asText()),
                  ids));
    }
    JsonNode op = root.path("clients").get("operator");
    JsonNode ks = root.path("kafka").get("security");
    Optional<KafkaSecurity> kafkaSecurity =
        ks == null
            ? Optional.empty()
            : Optional.of(
                new KafkaSecurity(
                    ks.path("protocol").asText(),
                    Path.of(ks.path("caCert").asText()),
                    Path.of(ks.path("clientCert").asText()),
                    Path.of(ks.path("clientKey").asText())));
    return new StackDescriptor(
        root.path("kafka").path("bootstrap").asText(),
        Path.of(root.path("kafka").path("logDir").asText()),
        kafkaSecurity,
        db,
        services,
        op == null ? Optional.empty() : Optional.of(certKey(op)),
        Path.of(root.path("logs").path("dir").asText()),
        root.has("worm")
            ? Optional.of(
                new Worm(
                    root.path("worm").path("kind").asText(),
                    root.path("worm").path("location").asText()))
            : Optional.empty(),
        root.has("audit")
            ? Optional.of(
                new AuditKey(
                    root.path("audit").path("verifierKey").asText(),
                    Path.of(root.path("audit").path("verifierKeyPem").asText())))
            : Optional.empty());
  }

  /**
   * Kafka client properties acting as the operator (read-only on every topic), as a stock client
   * would build them from {@code kafka.*}.
   *
   * @throws IllegalStateException if the stack has no {@code kafka.security}
   */
  public Map<String, Object> operatorKafka() {
    return kafkaSecurity
        .orElseThrow(() -> new IllegalStateException("stack.json has no kafka.security"))
        .operator()
        .kafkaClient(kafkaBootstrap);
  }

  /** Service URLs by their stack.json names. */
  public Map<String, String> serviceUrlsByName() {
    Map<String, String> out = new LinkedHashMap<>();
    services.forEach((k, v) -> out.put(k.key(), v));
    return out;
  }
}
