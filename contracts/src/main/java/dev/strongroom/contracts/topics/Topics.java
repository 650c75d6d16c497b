package dev.strongroom.contracts.topics;

import java.util.List;

/**
 * Kafka topic names (DESIGN §3). Every topic has a dead-letter companion named {@code <topic>.dlq}.
 */
public final class Topics {
  public static final String ENCRYPT_REQUESTS = "strongroom.encrypt.requests";
  public static final String STORE_REQUESTS = "strongroom.store.requests";
  public static final String STORE_RESULTS = "strongroom.store.results";
  public static final String AUDIT_ANCHORS = "strongroom.audit.anchors";
  public static final String SECURITY_ALERTS = "strongroom.security.alerts";
  public static final String PROVISION_REQUESTS = "strongroom.provision.requests";
  public static final String PROVISION_EVENTS = "strongroom.provision.events";
  public static final String PROOF_REQUESTS = "strongroom.proof.requests";
  public static final String PROOF_RESULTS = "strongroom.proof.results";

  /** Suffix of a dead-letter topic. */
  public static final String DLQ_SUFFIX = ".dlq";

  /** Every primary topic, in DESIGN order. */
  public static final List<String> ALL =
      List.of(
          ENCRYPT_REQUESTS,
          STORE_REQUESTS,
          STORE_RESULTS,
          AUDIT_ANCHORS,
          SECURITY_ALERTS,
          PROVISION_REQUESTS,
          PROVISION_EVENTS,
          PROOF_REQUESTS,
          PROOF_RESULTS);

  private Topics() {}

  /** The dead-letter topic of {@code topic}. */
  public static String dlq(String topic) {
    if (topic.endsWith(DLQ_SUFFIX)) {
      throw new IllegalArgumentException("a dead-letter topic has no dead-letter topic: " + topic);
    }
    return topic + DLQ_SUFFIX;
  }
}
