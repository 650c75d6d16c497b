package dev.strongroom.proof.pipeline;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the pipeline controls need from a running pipeline: the embedder implements it with real
 * Kafka clients and the client library against the real stack (devstack's {@code
 * KafkaPipelineProbe}). Every method acts for real; none is simulated.
 */
public interface PipelineProbe {
  /** One record on a topic, where it is and what it holds. */
  record TopicRecord(String topic, int partition, long offset, byte[] key, byte[] value) {}

  /** The target, for the evidence: the broker's bootstrap address and the services' addresses. */
  String describe();

  /**
   * Stores one record through the whole pipeline as the application identity (sealed request on
   * Kafka, the crypto-service, the data-service) under fresh request and record ids, with a token
   * for {@code tenant}, and waits for its signed result.
   *
   * @return the result's status and code, e.g. {@code STORED}
   */
  String store(String tenant, Map<String, String> fields) throws Exception;

  /**
   * The newest store request ({@code strongroom.store.requests}) keyed by {@code tenant}, read as
   * the operator from the topic's end backwards.
   */
  Optional<TopicRecord> newestStoreRequest(String tenant, Duration timeout) throws Exception;

  /**
   * Publishes a record to {@code strongroom.store.requests} with a Kafka identity that may write it
   * (the crypto-service's certificate; applications may too), as an insider who took that
   * certificate but not the service's event-signing key would.
   */
  TopicRecord publishStoreRequest(byte[] key, byte[] value) throws Exception;

  /**
   * The dead letter of {@code published} on {@code strongroom.store.requests.dlq}: its headers
   * (reason, detail, source coordinates) as text, or empty if none arrived within {@code timeout}.
   */
  Optional<Map<String, String>> deadLetterOf(TopicRecord published, Duration timeout)
      throws Exception;

  /**
   * Every topic's records from the beginning, read as the operator: the coordinates ({@code
   * topic/partition@offset}) of each record whose key, value or a header contains one of {@code
   * needles}, how many records were read, and per topic how many were keyed {@code probeKey} (so
   * the control can tell that the scan saw the probe's own records).
   */
  TopicScan scanTopics(List<byte[]> needles, byte[] probeKey) throws Exception;

  /** What {@link #scanTopics} read and found. */
  record TopicScan(
      List<String> topics, long records, List<String> hits, Map<String, Long> probeRecords) {}

  /** The broker's log directory when it is on this host (its segment files are scanned too). */
  Optional<Path> brokerLogDir();
}
