package dev.strongroom.contracts.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.util.Objects;
import java.util.Optional;

/**
 * Typed {@code data} of {@code dev.strongroom.store.completed.v1}.
 *
 * <p>Two services answer a request (docs/data-plane.md, "Who answers what"): the data-service, with
 * any status, for every store request it verified; and the crypto-service, REJECTED only, for an
 * encrypt request that passed the acceptance rules but that it refused (tenant token, seal, field
 * size, KMS refusal). The key registry lets both keys sign the type; {@link #mayComeFrom} is the
 * rest of the rule, which a reader applies after verifying: a STORED or DUPLICATE signed by the
 * crypto-service is not believed (only the data-service knows that a row exists), nor any answer
 * that does not name the application event it answers ({@code requestEventId}).
 *
 * <p>Every answer names that event, and a reader believes an answer only for the event it published
 * itself ({@link #answers}): any application may sign an encrypt request, or write a store request,
 * with another's request id, record id and tenant and a worthless token, and the service that
 * refuses it answers that refusal — naming the forger's event, not the victim's. The crypto-service
 * names the encrypt request it refused; the data-service names the encrypt request the
 * crypto-service made the store request from ({@link StoreRequest#encryptEventId}, which only the
 * crypto-service may set; applications cannot read the encrypt requests topic, so they cannot learn
 * another's event ids), or, for a store request an application wrote itself, that store request
 * event's own id.
 *
 * @param requestEventId the id of the application event this answers: an {@code
 *     encrypt.requested.v1} event, or the {@code store.requested.v1} event of a store request an
 *     application wrote itself; null only on results of a data-service from before it was set,
 *     which no reader believes
 */
public record StoreResult(
    String requestId, String recordId, Status status, String errorCode, String requestEventId) {
  /** The source of the data-service, which answers every store request it verified. */
  public static final String DATA_SERVICE_SOURCE = "/strongroom/data-service";

  /** The source of the crypto-service, which answers REJECTED for encrypt requests it refused. */
  public static final String CRYPTO_SERVICE_SOURCE = "/strongroom/crypto-service";

  /** STORED the first time, DUPLICATE for a repeat of the same request id, REJECTED with a code. */
  public enum Status {
    STORED,
    DUPLICATE,
    REJECTED
  }

  public StoreResult {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(status, "status");
    if ((status == Status.REJECTED) != (errorCode != null)) {
      throw new IllegalArgumentException("errorCode is present exactly when status is REJECTED");
    }
  }

  /**
   * A result that names no event: what a data-service from before {@code requestEventId} sent. It
   * still verifies and parses (golden {@code v1-stored.json}), but {@link #mayComeFrom} refuses it.
   */
  public StoreResult(String requestId, String recordId, Status status, String errorCode) {
    this(requestId, recordId, status, errorCode, null);
  }

  /**
   * Whether this result, verified as signed by {@code source}, may be believed: any status from the
   * data-service, REJECTED alone from the crypto-service, nothing from anyone else — and from
   * either only when it names the event it answers. A reader also checks that event against the one
   * it published ({@link #answers}).
   */
  public boolean mayComeFrom(String source) {
    return requestEventId != null
        && (DATA_SERVICE_SOURCE.equals(source)
            || (CRYPTO_SERVICE_SOURCE.equals(source) && status == Status.REJECTED));
  }

  /** Whether this result names {@code publishedEventId} as the event it answers. */
  public boolean answers(String publishedEventId) {
    return requestEventId != null && requestEventId.equals(publishedEventId);
  }

  /** The application event this answers; empty only on a result no reader believes. */
  public Optional<String> requestEventIdIfAny() {
    return Optional.ofNullable(requestEventId);
  }

  public Optional<String> errorCodeIfRejected() {
    return Optional.ofNullable(errorCode);
  }

  public ObjectNode toData() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("requestId", requestId);
    d.put("recordId", recordId);
    d.put("status", status.name());
    if (errorCode != null) {
      d.put("errorCode", errorCode);
    }
    if (requestEventId != null) {
      d.put("requestEventId", requestEventId);
    }
    return d;
  }

  public static StoreResult fromData(JsonNode d) {
    return new StoreResult(
        d.get("requestId").asText(),
        d.get("recordId").asText(),
        Status.valueOf(d.get("status").asText()),
        d.has("errorCode") ? d.get("errorCode").asText() : null,
        d.has("requestEventId") ? d.get("requestEventId").asText() : null);
  }
}
