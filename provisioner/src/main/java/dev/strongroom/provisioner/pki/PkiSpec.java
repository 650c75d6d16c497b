package dev.strongroom.provisioner.pki;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link PkiDirectory} keeps issued: the CA's name, the server certificate's names, the
 * client certificates, and the lifetimes. Immutable; build it with {@link #builder()} or take
 * {@link #strongroom(List)}.
 *
 * <p>The server certificate always carries the SANs {@code IP:127.0.0.1}, {@code IP:::1} and {@code
 * DNS:localhost}; {@link Builder#serverName(String)} adds more (an IP literal becomes an IP SAN,
 * anything else a DNS SAN).
 */
public final class PkiSpec {
  /**
   * The database identities: the three of DESIGN §4, {@code backup}, which the scheduled backup
   * runs as (read-only on the schemas, binary logs; docs/backups.md), and {@code anchor_writer},
   * the audit-anchor-service's own (reads what it tails, executes the anchor lease, append and
   * sink-delivery procedures; docs/audit-anchor-service.md), so that the {@code auditor}
   * certificate assessors hold cannot write the anchor state.
   */
  public static final List<String> DB_IDENTITIES =
      List.of("app_user", "auditor", "migration", "backup", "anchor_writer");

  /** The five services of DESIGN §2, one client certificate each. */
  public static final List<String> SERVICES =
      List.of(
          "crypto-service",
          "data-service",
          "audit-anchor-service",
          "provisioner-service",
          "proof-service");

  /** The Kafka broker's identity ({@link ClientKind#BROKER}), the broker's only super user. */
  public static final String KAFKA_BROKER = "kafka-broker";

  /** The application identity of the devstack (publishes encrypt requests, reads results). */
  public static final String DEMO_APP = "demo-app";

  /**
   * Operator tools, one identity each: {@code siem} (reads and re-checks security alerts), {@code
   * ops-dispatch} (publishes provisioning and proof requests, reads their outcomes).
   */
  public static final List<String> OPERATOR_TOOLS = List.of("siem", "ops-dispatch");

  private final String organization;
  private final String caCommonName;
  private final String serverCommonName;
  private final List<String> serverNames;
  private final List<ClientSpec> clients;
  private final Duration caValidity;
  private final Duration leafValidity;
  private final Duration renewBefore;
  private final Duration crlValidity;
  private final Duration crlRefreshBefore;

  private PkiSpec(Builder b) {
    this.organization = b.organization;
    this.caCommonName = b.caCommonName;
    this.serverCommonName = b.serverCommonName;
    LinkedHashSet<String> names = new LinkedHashSet<>(List.of("127.0.0.1", "::1", "localhost"));
    names.addAll(b.serverNames);
    this.serverNames = List.copyOf(names);
    this.clients = List.copyOf(b.clients);
    this.caValidity = b.caValidity;
    this.leafValidity = b.leafValidity;
    this.renewBefore = b.renewBefore;
    this.crlValidity = b.crlValidity;
    this.crlRefreshBefore = b.crlRefreshBefore;
    // Validate names early: a bad one must fail here, not half-way through issuing.
    caSubject();
    serverSubject();
    Set<String> seen = new LinkedHashSet<>();
    for (ClientSpec c : clients) {
      if (!seen.add(c.name())) {
        throw new IllegalArgumentException("duplicate client name " + c.name());
      }
    }
    if (leafValidity.compareTo(renewBefore) <= 0) {
      throw new IllegalArgumentException("leafValidity must exceed renewBefore");
    }
    if (caValidity.compareTo(leafValidity.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("caValidity must be at least twice leafValidity");
    }
    if (crlValidity.compareTo(crlRefreshBefore) <= 0) {
      throw new IllegalArgumentException("crlValidity must exceed crlRefreshBefore");
    }
  }

  /**
   * The Strongroom default: the DB identities, the five services, the {@code operator} and its
   * tools, the application {@code demo-app}, the Kafka broker, and the server certificate valid for
   * loopback plus {@code extraServerNames}.
   */
  public static PkiSpec strongroom(List<String> extraServerNames) {
    return strongroom(extraServerNames, List.of());
  }

  /**
   * {@link #strongroom(List)} with more application identities than {@code demo-app} (a deployment
   * with several applications, or a test's second one), each its own client certificate.
   */
  public static PkiSpec strongroom(List<String> extraServerNames, List<String> extraApplications) {
    Builder b = builder();
    DB_IDENTITIES.forEach(n -> b.client(n, ClientKind.DB_IDENTITY));
    SERVICES.forEach(n -> b.client(n, ClientKind.SERVICE));
    b.client("operator", ClientKind.OPERATOR);
    OPERATOR_TOOLS.forEach(n -> b.client(n, ClientKind.OPERATOR));
    b.client(DEMO_APP, ClientKind.APPLICATION);
    extraApplications.forEach(n -> b.client(n, ClientKind.APPLICATION));
    b.client(KAFKA_BROKER, ClientKind.BROKER);
    extraServerNames.forEach(b::serverName);
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public CertificateSubject caSubject() {
    return new CertificateSubject(organization, "pki", caCommonName);
  }

  public CertificateSubject serverSubject() {
    return new CertificateSubject(organization, "db-server", serverCommonName);
  }

  public CertificateSubject clientSubject(ClientSpec client) {
    return new CertificateSubject(organization, client.kind().unit(), client.name());
  }

  /** Every SAN of the server certificate, loopback first. */
  public List<String> serverNames() {
    return serverNames;
  }

  public List<ClientSpec> clients() {
    return clients;
  }

  public ClientSpec client(String name) {
    return clients.stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new PkiException("no client named '" + name + "' in this PKI spec"));
  }

  public Duration caValidity() {
    return caValidity;
  }

  public Duration leafValidity() {
    return leafValidity;
  }

  /**
   * A leaf whose remaining life is shorter than this is re-issued by {@link PkiDirectory#ensure()}.
   */
  public Duration renewBefore() {
    return renewBefore;
  }

  /** {@code nextUpdate - thisUpdate} of every CRL. */
  public Duration crlValidity() {
    return crlValidity;
  }

  /**
   * A CRL whose {@code nextUpdate} is closer than this is re-signed by {@link
   * PkiDirectory#ensure()}.
   */
  public Duration crlRefreshBefore() {
    return crlRefreshBefore;
  }

  /** Builder with defaults: CA 10 years, leaves 90 days (renewed 30 days early), CRL 30 days. */
  public static final class Builder {
    private String organization = "Strongroom";
    private String caCommonName = "Strongroom Root CA";
    private String serverCommonName = "strongroom-db";
    private final List<String> serverNames = new ArrayList<>();
    private final List<ClientSpec> clients = new ArrayList<>();
    private Duration caValidity = Duration.ofDays(3650);
    private Duration leafValidity = Duration.ofDays(90);
    private Duration renewBefore = Duration.ofDays(30);
    private Duration crlValidity = Duration.ofDays(30);
    private Duration crlRefreshBefore = Duration.ofDays(7);

    private Builder() {}

    public Builder organization(String v) {
      this.organization = Objects.requireNonNull(v);
      return this;
    }

    public Builder caCommonName(String v) {
      this.caCommonName = Objects.requireNonNull(v);
      return this;
    }

    public Builder serverCommonName(String v) {
      this.serverCommonName = Objects.requireNonNull(v);
      return this;
    }

    /** Adds a SAN to the server certificate (IP literal or DNS name). */
    public Builder serverName(String v) {
      if (v == null || v.isBlank() || !v.matches("[A-Za-z0-9.:\\-]+")) {
        throw new IllegalArgumentException("not a DNS name or IP literal: " + v);
      }
      serverNames.add(v);
      return this;
    }

    public Builder client(String name, ClientKind kind) {
      clients.add(new ClientSpec(name, kind));
      return this;
    }

    public Builder caValidity(Duration v) {
      this.caValidity = positive(v);
      return this;
    }

    public Builder leafValidity(Duration v) {
      this.leafValidity = positive(v);
      return this;
    }

    public Builder renewBefore(Duration v) {
      this.renewBefore = positive(v);
      return this;
    }

    public Builder crlValidity(Duration v) {
      this.crlValidity = positive(v);
      return this;
    }

    public Builder crlRefreshBefore(Duration v) {
      this.crlRefreshBefore = positive(v);
      return this;
    }

    private static Duration positive(Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("duration must be positive: " + d);
      }
      return d;
    }

    public PkiSpec build() {
      return new PkiSpec(this);
    }
  }
}
