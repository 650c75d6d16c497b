package dev.strongroom.devstack.kafka;

import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on the broker: every principal ({@code User:<certificate CN>}) gets exactly its
 * topics and its own consumer group, nothing else — no DeleteRecords, no Alter, no Create, no other
 * group. The broker runs {@code StandardAuthorizer} with {@code
 * allow.everyone.if.no.acl.found=false}, so anything not listed here is refused; only the broker
 * itself ({@link PkiSpec#KAFKA_BROKER}) is a super user.
 *
 * <table>
 *   <caption>Grants</caption>
 *   <tr><th>principal</th><th>reads (and its group)</th><th>writes</th></tr>
 *   <tr><td>crypto-service</td><td>encrypt.requests (group crypto-service)</td>
 *       <td>store.requests, store.results (REJECTED answers), encrypt.requests.dlq,
 *       security.alerts</td></tr>
 *   <tr><td>data-service</td><td>store.requests (group data-service)</td>
 *       <td>store.results, store.requests.dlq, security.alerts</td></tr>
 *   <tr><td>audit-anchor-service</td><td>— (group audit-anchor-service)</td>
 *       <td>audit.anchors, security.alerts</td></tr>
 *   <tr><td>provisioner-service</td><td>provision.requests (group provisioner-service)</td>
 *       <td>provision.events, provision.requests.dlq, security.alerts</td></tr>
 *   <tr><td>proof-service</td><td>proof.requests (group proof-service)</td>
 *       <td>proof.results, proof.requests.dlq, security.alerts</td></tr>
 *   <tr><td>demo-app (application)</td><td>store.results (groups demo-app-*)</td>
 *       <td>encrypt.requests, store.requests</td></tr>
 *   <tr><td>operator</td><td>every strongroom.* topic (groups operator-*)</td><td>nothing</td></tr>
 *   <tr><td>siem (operator tool)</td><td>security.alerts, audit.anchors (groups siem-*)</td>
 *       <td>security.alerts, security.alerts.dlq</td></tr>
 *   <tr><td>ops-dispatch (operator tool)</td><td>provision.events, proof.results
 *       (groups ops-dispatch-*)</td><td>provision.requests, proof.requests</td></tr>
 * </table>
 *
 * <p>The data-service also holds WRITE on transactional ids prefixed {@code data-service-}: its
 * store loop commits results, dead letters and offsets in one Kafka transaction
 * (docs/data-plane.md).
 *
 * <p>A principal not in the table (a database identity's certificate, say) has no grant at all.
 * Services that come to read or write another topic add it here, next to the test that shows it.
 */
public final class KafkaAccessPolicy {

  /** One principal's grants. */
  public record Grants(
      String principal, List<String> reads, List<String> writes, GroupScope groups) {
    public Grants {
      reads = List.copyOf(reads);
      writes = List.copyOf(writes);
    }
  }

  /** Which consumer groups a principal may use. */
  public enum GroupScope {
    /** Exactly the group named like the principal (a service's group). */
    OWN,
    /** Groups whose name starts with {@code <principal>-} (tools, one group per run). */
    OWN_PREFIX
  }

  /** The operator reads every topic under this prefix. */
  public static final String TOPIC_PREFIX = "strongroom.";

  private static final Map<String, Grants> GRANTS = new LinkedHashMap<>();

  static {
    service(
        "crypto-service",
        List.of(Topics.ENCRYPT_REQUESTS),
        List.of(
            Topics.STORE_REQUESTS,
            Topics.STORE_RESULTS, // the REJECTED answer to an encrypt request it refused
            Topics.dlq(Topics.ENCRYPT_REQUESTS),
            Topics.SECURITY_ALERTS));
    service(
        "data-service",
        List.of(Topics.STORE_REQUESTS),
        List.of(Topics.STORE_RESULTS, Topics.dlq(Topics.STORE_REQUESTS), Topics.SECURITY_ALERTS));
    service(
        "audit-anchor-service", List.of(), List.of(Topics.AUDIT_ANCHORS, Topics.SECURITY_ALERTS));
    service(
        "provisioner-service",
        List.of(Topics.PROVISION_REQUESTS),
        List.of(
            Topics.PROVISION_EVENTS,
            Topics.dlq(Topics.PROVISION_REQUESTS),
            Topics.SECURITY_ALERTS));
    service(
        "proof-service",
        List.of(Topics.PROOF_REQUESTS),
        List.of(Topics.PROOF_RESULTS, Topics.dlq(Topics.PROOF_REQUESTS), Topics.SECURITY_ALERTS));
    GRANTS.put(PkiSpec.DEMO_APP, application(PkiSpec.DEMO_APP));
    tool("operator", List.of(), List.of()); // reads by prefix, see bindings()
    tool(
        "siem",
        List.of(Topics.SECURITY_ALERTS, Topics.AUDIT_ANCHORS),
        List.of(Topics.SECURITY_ALERTS, Topics.dlq(Topics.SECURITY_ALERTS)));
    tool(
        "ops-dispatch",
        List.of(Topics.PROVISION_EVENTS, Topics.PROOF_RESULTS),
        List.of(Topics.PROVISION_REQUESTS, Topics.PROOF_REQUESTS));
  }

  /** Principals whose producers are transactional (ids {@code <principal>-…}). */
  public static final List<String> TRANSACTIONAL = List.of("data-service");

  private KafkaAccessPolicy() {}

  private static void service(String name, List<String> reads, List<String> writes) {
    GRANTS.put(name, new Grants(name, reads, writes, GroupScope.OWN));
  }

  private static void tool(String name, List<String> reads, List<String> writes) {
    GRANTS.put(name, new Grants(name, reads, writes, GroupScope.OWN_PREFIX));
  }

  /**
   * What an application identity gets (demo-app's row of the table): it publishes encrypt and store
   * requests and reads results, in groups {@code <name>-*}. A deployment with more applications
   * gives each its own certificate, its own principal and these grants ({@link #bindingsOf}).
   */
  public static Grants application(String name) {
    return new Grants(
        name,
        List.of(Topics.STORE_RESULTS),
        List.of(Topics.ENCRYPT_REQUESTS, Topics.STORE_REQUESTS),
        GroupScope.OWN_PREFIX);
  }

  /** Every principal's grants, in table order. */
  public static List<Grants> grants() {
    return List.copyOf(GRANTS.values());
  }

  /** The grants of {@code principal}, if it has any. */
  public static Optional<Grants> grantsOf(String principal) {
    return Optional.ofNullable(GRANTS.get(principal));
  }

  /**
   * A consumer group {@code principal} may use: its own name for a service, {@code
   * <principal>-<suffix>} for a tool.
   */
  public static String groupFor(String principal, String suffix) {
    Grants g = GRANTS.get(principal);
    if (g == null) {
      throw new IllegalArgumentException("no Kafka grants for " + principal);
    }
    return g.groups() == GroupScope.OWN ? principal : principal + "-" + suffix;
  }

  /**
   * The principal that legitimately publishes to {@code topic} from outside the services (an
   * application or an operator tool), e.g. for a test that sends to a service's inbound topic.
   */
  public static Optional<String> externalWriterOf(String topic) {
    for (Grants g : GRANTS.values()) {
      if (g.groups() == GroupScope.OWN_PREFIX && g.writes().contains(topic)) {
        return Optional.of(g.principal());
      }
    }
    return Optional.empty();
  }

  /** The ACL bindings that implement {@link #grants()}. */
  public static List<AclBinding> bindings() {
    List<AclBinding> out = new ArrayList<>();
    for (Grants g : GRANTS.values()) {
      out.addAll(bindingsOf(g));
    }
    for (String p : TRANSACTIONAL) {
      out.add(
          allow(
              "User:" + p,
              ResourceType.TRANSACTIONAL_ID,
              p + "-",
              PatternType.PREFIXED,
              AclOperation.WRITE));
    }
    out.add(
        allow(
            "User:operator",
            ResourceType.TOPIC,
            TOPIC_PREFIX,
            PatternType.PREFIXED,
            AclOperation.READ));
    return out;
  }

  /** The ACL bindings of one principal's {@code g} (its topics and its groups). */
  public static List<AclBinding> bindingsOf(Grants g) {
    List<AclBinding> out = new ArrayList<>();
    String user = "User:" + g.principal();
    for (String t : g.reads()) {
      out.add(allow(user, ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.READ));
    }
    for (String t : g.writes()) {
      out.add(allow(user, ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.WRITE));
    }
    if (g.groups() == GroupScope.OWN) {
      out.add(
          allow(user, ResourceType.GROUP, g.principal(), PatternType.LITERAL, AclOperation.READ));
    } else {
      out.add(
          allow(
              user,
              ResourceType.GROUP,
              g.principal() + "-",
              PatternType.PREFIXED,
              AclOperation.READ));
    }
    return out;
  }

  /**
   * What {@code ./strongroom revoke} adds for a revoked principal: DENY of every operation on every
   * topic, group and transactional id and on the cluster. {@code StandardAuthorizer} lets a DENY
   * win over any ALLOW, and it authorizes each request, so a connection that was open before the
   * revocation gets every later request refused too. The broker's TLS handshake does not read the
   * CRL: a revoked certificate still completes it and authenticates as {@code User:<CN>}, and the
   * connection stays open with each request refused. A DENY names the principal, not one
   * certificate: a new certificate issued under the same name stays refused until these bindings
   * are deleted (docs/runbook-rotation.md). The broker itself is a super user and cannot be denied.
   */
  public static List<AclBinding> revocation(String principal) {
    if (PkiSpec.KAFKA_BROKER.equals(principal)) {
      throw new IllegalArgumentException(
          principal + " is the broker's super user: ACLs cannot refuse it");
    }
    String user = "User:" + principal;
    List<AclBinding> out = new ArrayList<>();
    out.add(deny(user, ResourceType.TOPIC, ResourcePattern.WILDCARD_RESOURCE));
    out.add(deny(user, ResourceType.GROUP, ResourcePattern.WILDCARD_RESOURCE));
    out.add(deny(user, ResourceType.TRANSACTIONAL_ID, ResourcePattern.WILDCARD_RESOURCE));
    out.add(deny(user, ResourceType.CLUSTER, "kafka-cluster"));
    return out;
  }

  private static AclBinding deny(String user, ResourceType type, String name) {
    return new AclBinding(
        new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry(user, "*", AclOperation.ALL, AclPermissionType.DENY));
  }

  private static AclBinding allow(
      String user, ResourceType type, String name, PatternType pattern, AclOperation op) {
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry(user, "*", op, AclPermissionType.ALLOW));
  }
}
