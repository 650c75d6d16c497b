package dev.strongroom.devstack.deploy;

import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.EmbeddedKafka;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.provisioner.db.AccountProvisioner;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.acl.AclBinding;

/**
 * The files docker-compose.yml mounts, rendered from the code the devstack runs, so the production
 * topology cannot drift from it (ComposeRenderingTest compares them with {@code deploy/}; {@code
 * ComposeKafkaIT} boots a real broker from the rendered broker configuration):
 *
 * <ul>
 *   <li>{@code deploy/kafka/server.properties} — the broker: SSL on both listeners (client and
 *       controller), TLS 1.3 only, client certificate required, principal = certificate CN, {@code
 *       StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}, the broker the only
 *       super user ({@link EmbeddedKafka#authorizationProperties}); its PEM material is read from
 *       the mounted PKI by Kafka's {@code DirectoryConfigProvider}, so no key is copied into the
 *       file;
 *   <li>{@code deploy/kafka/admin.properties} — the setup job's client (the broker's identity);
 *   <li>{@code deploy/kafka/setup.sh} — every topic of {@link Topics#ALL} and its dead-letter
 *       topic, then the ACLs of {@link KafkaAccessPolicy#bindings()} as {@code kafka-acls.sh}
 *       commands (both idempotent);
 *   <li>{@code deploy/services/<service>.properties} — each service's identity ({@link
 *       TlsIdentity#serviceConfig(int)}: mutual TLS to Kafka, HTTPS only on {@value #HTTPS_PORT}
 *       with a client certificate required) and its Kafka bootstrap address; mounted as the
 *       service's {@code /app/config/application.properties}. The audit-anchor-service's also runs
 *       the audit watch ({@link #auditWatch(Layout)}: the chain tailed as its own {@code
 *       anchor_writer} identity over mutual TLS, checkpoints published to the local-dir WORM
 *       volume); its scheduled backup stays off (docs/operations.md says why).
 * </ul>
 *
 * <p>Every container sees the PKI (what the ops plane writes to {@code deploy/secrets/pki}: {@code
 * ca/ca.pem}, {@code ca/crl.pem}, {@code clients/<name>.pem|.key}) under {@value #PKI}, each only
 * its own key. The serving certificates must carry the compose host names {@link #SERVER_NAMES}.
 */
public final class ComposeTopology {
  /** Where every container finds the PKI. */
  public static final String PKI = "/srv/strongroom/pki";

  /** The broker's host name on the compose network. */
  public static final String BROKER_HOST = "kafka";

  /** The broker's client listener (SSL). */
  public static final int BROKER_PORT = 9093;

  /** The broker's controller listener (SSL). */
  public static final int CONTROLLER_PORT = 9094;

  /** Each service's HTTPS port (the plain port is not opened). */
  public static final int HTTPS_PORT = 8443;

  /** The database's host name on the compose network (its server certificate names it). */
  public static final String DB_HOST = "mysql";

  /** The database's port (deploy/mysql/strongroom.cnf). */
  public static final int DB_PORT = 3306;

  /** The audit-anchor-service's tail state (the {@code audit-anchor-state} volume). */
  public static final String AUDIT_STATE_DIR = "/var/lib/strongroom/audit-anchor/state";

  /** The audit-anchor-service's local-dir WORM store (the {@code audit-worm} volume). */
  public static final String AUDIT_WORM_DIR = "/var/lib/strongroom/audit-anchor/worm";

  /** The audit log's C2SP signer key (the {@code audit-log-key} secret). */
  public static final String AUDIT_LOG_KEY = "/run/secrets/audit-log-key";

  /**
   * The tenant authority's key file the crypto-service verifies tokens with (the {@code
   * tenant-token-key} secret; docs/tenant-tokens.md).
   */
  public static final String TENANT_TOKEN_KEY = "/run/secrets/tenant-token-key";

  /**
   * The crypto-service's HPKE sealing key, the private half of what {@code GET /v1/sealing-key}
   * publishes (the {@code crypto-sealing-key} secret).
   */
  public static final String SEALING_KEY = "/run/secrets/crypto-sealing-key";

  /**
   * The Google service-account key the crypto-service's Cloud KMS client authenticates with
   * (Application Default Credentials through {@code GOOGLE_APPLICATION_CREDENTIALS}; the {@code
   * gcp-credentials} secret). Where the host gives workload identity, drop the secret.
   */
  public static final String GCP_CREDENTIALS = "/run/secrets/gcp-credentials";

  /** The audit-anchor-service's lease name (one instance in this topology). */
  public static final String AUDIT_HOLDER = "audit-anchor-1";

  /** Partitions of every Strongroom topic in production. */
  public static final int PARTITIONS = 6;

  /**
   * Host names the serving certificates need on the compose network: the broker, the database and
   * the five services (clients check the name they dial against the certificate).
   */
  public static final List<String> SERVER_NAMES;

  static {
    List<String> names = new ArrayList<>(List.of(BROKER_HOST, "mysql"));
    names.addAll(PkiSpec.SERVICES);
    SERVER_NAMES = List.copyOf(names);
  }

  private static final String HEADER =
      "# Generated by dev.strongroom.devstack.deploy.ComposeTopology; do not edit.\n"
          + "# ComposeRenderingTest keeps it equal to the renderer (-Ddeploy.update=true rewrites"
          + " it).\n";

  private ComposeTopology() {}

  /**
   * Where things are: the production values ({@link #production()}), or a test's (loopback, free
   * ports, temporary directories).
   *
   * @param pki the PKI root ({@code ca/ca.pem}, {@code clients/<name>.pem|.key})
   * @param brokerHost the broker's advertised host (checked against its certificate)
   * @param bindHost the address the listeners bind ("" for every interface)
   * @param brokerPort client listener port
   * @param controllerPort controller listener port
   * @param dataDir the broker's log and metadata directory
   */
  public record Layout(
      String pki,
      String brokerHost,
      String bindHost,
      int brokerPort,
      int controllerPort,
      String dataDir) {
    public Layout {
      Objects.requireNonNull(pki, "pki");
      Objects.requireNonNull(brokerHost, "brokerHost");
      Objects.requireNonNull(bindHost, "bindHost");
      Objects.requireNonNull(dataDir, "dataDir");
    }

    /** {@code host:port} of the client listener. */
    public String bootstrap() {
      return brokerHost + ":" + brokerPort;
    }
  }

  /** The compose topology's layout. */
  public static Layout production() {
    return new Layout(PKI, BROKER_HOST, "", BROKER_PORT, CONTROLLER_PORT, "/var/lib/kafka/data");
  }

  /** The broker's configuration ({@code deploy/kafka/server.properties}). */
  public static String brokerProperties(Layout l) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(EmbeddedKafka.NODE_ID));
    p.put(
        "controller.quorum.voters",
        EmbeddedKafka.NODE_ID + "@" + l.brokerHost() + ":" + l.controllerPort());
    p.put("controller.listener.names", EmbeddedKafka.CONTROLLER_LISTENER);
    p.put(
        "listeners",
        EmbeddedKafka.BROKER_LISTENER
            + "://"
            + l.bindHost()
            + ":"
            + l.brokerPort()
            + ","
            + EmbeddedKafka.CONTROLLER_LISTENER
            + "://"
            + l.bindHost()
            + ":"
            + l.controllerPort());
    p.put("advertised.listeners", EmbeddedKafka.BROKER_LISTENER + "://" + l.bootstrap());
    p.put(
        "listener.security.protocol.map",
        EmbeddedKafka.BROKER_LISTENER + ":SSL," + EmbeddedKafka.CONTROLLER_LISTENER + ":SSL");
    p.put("inter.broker.listener.name", EmbeddedKafka.BROKER_LISTENER);
    p.put("log.dirs", l.dataDir());
    p.put("metadata.log.dir", l.dataDir());
    p.put("auto.create.topics.enable", "false");
    p.put("num.partitions", Integer.toString(PARTITIONS));
    // a single broker here; a production cluster runs 3+ with replication factor 3 and min ISR 2
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.putAll(tlsMaterial(l, PkiSpec.KAFKA_BROKER));
    p.putAll(EmbeddedKafka.authorizationProperties(PkiSpec.KAFKA_BROKER, organization()));
    return HEADER + properties(p);
  }

  /**
   * The setup job's client configuration ({@code deploy/kafka/admin.properties}): the broker's own
   * identity, the only one allowed to create topics and ACLs.
   */
  public static String adminProperties(Layout l) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("security.protocol", "SSL");
    p.putAll(tlsMaterial(l, PkiSpec.KAFKA_BROKER));
    return HEADER + properties(p);
  }

  /**
   * The {@code kafka-topics.sh} argument lists that create every Strongroom topic and its
   * dead-letter topic (idempotent), given the admin client's configuration file.
   */
  public static List<List<String>> topicCommands(Layout l, String adminConfig) {
    List<List<String>> out = new ArrayList<>();
    for (String t : Topics.ALL) {
      for (String name : List.of(t, Topics.dlq(t))) {
        out.add(
            List.of(
                "--bootstrap-server",
                l.bootstrap(),
                "--command-config",
                adminConfig,
                "--create",
                "--if-not-exists",
                "--topic",
                name,
                "--partitions",
                Integer.toString(PARTITIONS),
                "--replication-factor",
                "1"));
      }
    }
    return out;
  }

  /**
   * The {@code kafka-acls.sh} argument lists that create {@link KafkaAccessPolicy#bindings()}, one
   * command per binding (re-adding an existing ACL is a no-op).
   */
  public static List<List<String>> aclCommands(Layout l, String adminConfig) {
    List<List<String>> out = new ArrayList<>();
    for (AclBinding b : KafkaAccessPolicy.bindings()) {
      List<String> args = new ArrayList<>();
      args.addAll(
          List.of(
              "--bootstrap-server",
              l.bootstrap(),
              "--command-config",
              adminConfig,
              "--add",
              "--allow-principal",
              b.entry().principal(),
              "--allow-host",
              b.entry().host(),
              "--operation",
              camel(b.entry().operation().name())));
      String resource =
          switch (b.pattern().resourceType()) {
            case TOPIC -> "--topic";
            case GROUP -> "--group";
            case TRANSACTIONAL_ID -> "--transactional-id";
            default -> throw new IllegalStateException("no kafka-acls option for " + b.pattern());
          };
      args.add(resource);
      args.add(b.pattern().name());
      args.add("--resource-pattern-type");
      args.add(b.pattern().patternType().name().toLowerCase(Locale.ROOT));
      out.add(List.copyOf(args));
    }
    return out;
  }

  /** {@code deploy/kafka/setup.sh}: topics, then ACLs, in the broker image. */
  public static String setupScript(Layout l, String adminConfig) {
    StringBuilder s = new StringBuilder("#!/bin/sh\n").append(HEADER).append("set -e\n");
    s.append("# Topics: every topic of DESIGN §3 and its .dlq (auto-creation is off).\n");
    for (List<String> c : topicCommands(l, adminConfig)) {
      s.append(shell("/opt/kafka/bin/kafka-topics.sh", c));
    }
    s.append("# ACLs: KafkaAccessPolicy; whatever is not listed is refused.\n");
    for (List<String> c : aclCommands(l, adminConfig)) {
      s.append(shell("/opt/kafka/bin/kafka-acls.sh", c));
    }
    return s.toString();
  }

  /**
   * A service's configuration ({@code deploy/services/<service>.properties}): its TLS identity
   * (paths into the mounted PKI), the CA's CRL (a revoked caller is refused with {@code 401
   * REVOKED}), HTTPS on {@value #HTTPS_PORT} only, the broker's address; the crypto-service also
   * the tenant authority's key file ({@value #TENANT_TOKEN_KEY}), its sealing key ({@value
   * #SEALING_KEY}) and Cloud KMS as its KEK's home; the data-service its database connection
   * ({@link #dataStore}).
   */
  public static String serviceProperties(Layout l, String service) {
    if (!PkiSpec.SERVICES.contains(service)) {
      throw new IllegalArgumentException("not a service: " + service);
    }
    Map<String, String> p = new LinkedHashMap<>();
    p.put("kafka.bootstrap.servers", l.bootstrap());
    p.put("quarkus.http.host", "0.0.0.0");
    p.putAll(identity(l, service).serviceConfig(HTTPS_PORT));
    p.put("strongroom.tls.crl", crl(l).toString());
    if ("crypto-service".equals(service)) {
      p.put("strongroom.crypto.tenant-token-key", TENANT_TOKEN_KEY);
      p.put("strongroom.crypto.sealing-key", SEALING_KEY);
      // The KEK is a Cloud KMS key (HSM protection level) that the cloud setup made; its resource
      // name comes from the environment (STRONGROOM_CRYPTO_KMS_KEY_NAME, docker-compose.yml).
      p.put("strongroom.crypto.kms.kind", "GCP_KMS");
    }
    if ("data-service".equals(service)) {
      p.putAll(dataStore(l));
    }
    if ("audit-anchor-service".equals(service)) {
      p.putAll(auditWatch(l));
    }
    return HEADER + properties(p);
  }

  /**
   * The data-service's database connection: {@code app_user} over mutual TLS to {@value #DB_HOST}
   * ({@code pki/clients/app_user.pem|.key}; the server pins the certificate's subject and issuer),
   * the schema's database; the connection is bound to a tenant per request by the request's token.
   */
  public static Map<String, String> dataStore(Layout l) {
    TlsIdentity app = identity(l, "app_user");
    Map<String, String> p = new LinkedHashMap<>();
    p.put("strongroom.data.db.host", DB_HOST);
    p.put("strongroom.data.db.port", Integer.toString(DB_PORT));
    p.put("strongroom.data.db.database", AccountProvisioner.DATABASE);
    p.put("strongroom.data.db.ca-cert", app.caCert().toString());
    p.put("strongroom.data.db.cert", app.cert().toString());
    p.put("strongroom.data.db.key", app.key().toString());
    return p;
  }

  /**
   * The audit-anchor-service's audit watch, as the devstack's {@code up} runs it with production
   * timing (the defaults: a tick a minute, a 150 s lease): the chain tailed and verified as the
   * service's own identity {@code anchor_writer} over mutual TLS ({@code
   * pki/clients/anchor_writer.pem|.key}; not {@code auditor}, whose certificate assessors hold and
   * which may not write the anchor state), a signed checkpoint with its tiles and bundles published
   * every tick to the local-dir WORM store (production may set {@code worm.kind=gcs},
   * docs/operations.md), signed with the log key whose name is the origin. The scheduled backup
   * ({@code strongroom.backup.*}) is explicitly off: the service can wrap backup keys only with the
   * development keyring and its image has no mariadb-dump (docs/operations.md).
   */
  public static Map<String, String> auditWatch(Layout l) {
    TlsIdentity writer = identity(l, "anchor_writer");
    Map<String, String> p = new LinkedHashMap<>();
    p.put("strongroom.audit-anchor.enabled", "true");
    p.put("strongroom.audit-anchor.holder", AUDIT_HOLDER);
    p.put("strongroom.audit-anchor.state-dir", AUDIT_STATE_DIR);
    p.put("strongroom.audit-anchor.db.host", DB_HOST);
    p.put("strongroom.audit-anchor.db.port", Integer.toString(DB_PORT));
    p.put("strongroom.audit-anchor.db.user", "anchor_writer");
    p.put("strongroom.audit-anchor.db.ca-cert", writer.caCert().toString());
    p.put("strongroom.audit-anchor.db.cert", writer.cert().toString());
    p.put("strongroom.audit-anchor.db.key", writer.key().toString());
    p.put("strongroom.audit-anchor.worm.kind", "local-dir");
    p.put("strongroom.audit-anchor.worm.location", AUDIT_WORM_DIR);
    p.put("strongroom.audit-anchor.log-key", AUDIT_LOG_KEY);
    p.put("strongroom.backup.enabled", "false");
    return p;
  }

  /** The CA's CRL as the containers see it ({@code ca/crl.pem}, beside the CA certificate). */
  public static Path crl(Layout l) {
    return Path.of(l.pki(), "ca", "crl.pem");
  }

  /** The mTLS identity {@code name} as the containers see it. */
  public static TlsIdentity identity(Layout l, String name) {
    return new TlsIdentity(
        name,
        Path.of(l.pki(), "ca", "ca.pem"),
        Path.of(l.pki(), "clients", name + ".pem"),
        Path.of(l.pki(), "clients", name + ".key"));
  }

  /** Every generated file of the production topology, by path under {@code deploy/}. */
  public static Map<String, String> files() {
    Layout l = production();
    String adminConfig = "/etc/strongroom/kafka/admin.properties";
    Map<String, String> out = new LinkedHashMap<>();
    out.put("kafka/server.properties", brokerProperties(l));
    out.put("kafka/admin.properties", adminProperties(l));
    out.put("kafka/setup.sh", setupScript(l, adminConfig));
    for (String s : PkiSpec.SERVICES) {
      out.put("services/" + s + ".properties", serviceProperties(l, s));
    }
    return out;
  }

  /** Writes {@link #files()} under the directory given as the only argument (e.g. deploy). */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ComposeTopology DEPLOY_DIR");
      System.exit(2);
    }
    Path deploy = Path.of(args[0]);
    for (Map.Entry<String, String> f : files().entrySet()) {
      Path file = deploy.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, f.getValue(), StandardCharsets.UTF_8);
    }
  }

  /**
   * The TLS settings of {@link TlsIdentity#kafkaSecurity()} without its {@code security.protocol},
   * the PEM contents pulled from the PKI by {@code DirectoryConfigProvider} when Kafka reads them.
   */
  private static Map<String, String> tlsMaterial(Layout l, String name) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("config.providers", "dir");
    p.put(
        "config.providers.dir.class",
        "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
    p.put("ssl.protocol", TlsIdentity.TLS_VERSION);
    p.put("ssl.enabled.protocols", TlsIdentity.TLS_VERSION);
    p.put("ssl.endpoint.identification.algorithm", "https");
    p.put("ssl.keystore.type", "PEM");
    p.put("ssl.keystore.certificate.chain", "${dir:" + l.pki() + "/clients:" + name + ".pem}");
    p.put("ssl.keystore.key", "${dir:" + l.pki() + "/clients:" + name + ".key}");
    p.put("ssl.truststore.type", "PEM");
    p.put("ssl.truststore.certificates", "${dir:" + l.pki() + "/ca:ca.pem}");
    return p;
  }

  private static String organization() {
    return PkiSpec.strongroom(List.of()).caSubject().organization();
  }

  private static String properties(Map<String, String> p) {
    StringBuilder s = new StringBuilder();
    for (Map.Entry<String, String> e : p.entrySet()) {
      String v = e.getValue();
      if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("multi-line value for " + e.getKey());
      }
      s.append(e.getKey()).append('=').append(v.replace("\\", "\\\\")).append('\n');
    }
    return s.toString();
  }

  /** A shell command line; every argument single-quoted. */
  private static String shell(String command, List<String> args) {
    StringBuilder s = new StringBuilder(command);
    for (String a : args) {
      s.append(" '").append(a.replace("'", "'\\''")).append('\'');
    }
    return s.append('\n').toString();
  }

  /** {@code DELETE_RECORDS} → {@code DeleteRecords}, as kafka-acls.sh spells operations. */
  private static String camel(String enumName) {
    StringBuilder s = new StringBuilder();
    for (String part : enumName.split("_")) {
      s.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
    }
    return s.toString();
  }
}
