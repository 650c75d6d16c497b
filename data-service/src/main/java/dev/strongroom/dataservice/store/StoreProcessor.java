package dev.strongroom.dataservice.store;

import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.Rejection;
import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.envelope.VerifiedEvent;
import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.RefusalCode;
import dev.strongroom.contracts.kafka.RecordGate;
import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.RegisteredKey;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.records.StoreResult;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.contracts.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What one {@code strongroom.store.requests} record becomes, as records to publish in the same
 * Kafka transaction as its offset:
 *
 * <ul>
 *   <li>refused by the acceptance rules (DESIGN §3): its dead letter (and alert), no result — the
 *       request id of an unverified event is not to be trusted; likewise an application's own store
 *       request that carries {@code encryptEventId} (the crypto-service's to set);
 *   <li>stored or already stored: a signed {@code store.completed} result, STORED or DUPLICATE;
 *   <li>refused by the database, the tenant check or the field size limit ({@code
 *       SR-FIELD-TOO-LARGE}, and {@code SR-TOKEN-CNF} for an application's own store request whose
 *       token is bound to another certificate than its signer's, both checked before the database
 *       is asked): a REJECTED result with the refusal's code ({@code SR-…} or an error code) and
 *       the record's dead letter with that reason.
 * </ul>
 *
 * Every result names the application event it answers ({@code requestEventId}): the encrypt request
 * the crypto-service made the store request from ({@code encryptEventId}), or the store request
 * event itself when an application wrote it. The application believes a result only for the event
 * it published, so a refusal of another application's store request carrying its request id does
 * not end its wait (docs/data-plane.md, "Who answers what").
 *
 * <p>Retriable failures (see {@link SqlErrors}) are retried in place with exponential backoff for
 * as long as the loop runs; nothing is dropped and nothing is decided before the database answers.
 * An exception nobody mapped (a bug) is REJECTED with {@code INTERNAL} and dead-lettered at once: a
 * retry would fail the same way and hold up the lane forever.
 */
public final class StoreProcessor {
  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(StoreProcessor.class);

  /** Observes outcomes and retries (metrics). */
  public interface Listener {
    void outcome(String status, String code);

    void retry(String why);

    void waiting(int delta);
  }

  private final RecordGate gate;
  private final EventSigner signer;
  private final DataStore store;
  private final KeyRegistry registry;
  private final Duration backoffMin;
  private final Duration backoffMax;
  private final Listener listener;

  /**
   * @param registry the key registry the gate verifies with: an application's entry names the
   *     certificates the tokens in the store requests it signs must be bound to
   */
  public StoreProcessor(
      RecordGate gate,
      EventSigner signer,
      DataStore store,
      KeyRegistry registry,
      Duration backoffMin,
      Duration backoffMax,
      Listener listener) {
    this.gate = gate;
    this.signer = signer;
    this.store = store;
    this.registry = registry;
    this.backoffMin = backoffMin;
    this.backoffMax = backoffMax;
    this.listener = listener;
  }

  /** Thrown when the loop stops while a record is still being retried: nothing is published. */
  public static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super("stopped while retrying", null, false, false);
    }
  }

  /**
   * @param running false once the loop is stopping (a retrying record then gives up with {@link
   *     Stopped}, unpublished and uncommitted)
   */
  public List<ProducerRecord<byte[], byte[]>> process(
      ConsumerRecord<byte[], byte[]> record, BooleanSupplier running) {
    RecordGate.Decision decision = gate.admit(record);
    if (decision instanceof RecordGate.DeadLetter dl) {
      listener.outcome("DEAD_LETTER", dl.rejection().code().code());
      return deadLetter(dl);
    }
    VerifiedEvent event = ((RecordGate.Admit) decision).event();
    if (!EventCatalog.STORE_REQUESTED.type().equals(event.type()) || event.subject().isEmpty()) {
      listener.outcome("DEAD_LETTER", ErrorCode.SCHEMA.code());
      return deadLetter(
          gate.refuse(
              record,
              new Rejection(
                  ErrorCode.SCHEMA,
                  signer.source() + " does not process " + event.type() + " without a subject",
                  event.id(),
                  event.source(),
                  event.sigkid())));
    }
    String tenant = event.subject().get();
    StoreRequest request;
    try {
      request = StoreRequest.fromData(event.data());
    } catch (RuntimeException e) {
      listener.outcome("DEAD_LETTER", ErrorCode.SCHEMA.code());
      return deadLetter(
          gate.refuse(
              record,
              new Rejection(
                  ErrorCode.SCHEMA,
                  "store request does not hold together: " + e.getMessage(),
                  event.id(),
                  event.source(),
                  event.sigkid())));
    }
    boolean fromCryptoService = StoreResult.CRYPTO_SERVICE_SOURCE.equals(event.source());
    if (!fromCryptoService && request.encryptEventIdIfAny().isPresent()) {
      // Only the crypto-service makes a store request from an encrypt request. An application's
      // own store request naming one would have its answer name that event (docs/data-plane.md).
      listener.outcome("DEAD_LETTER", ErrorCode.SCHEMA.code());
      return deadLetter(
          gate.refuse(
              record,
              new Rejection(
                  ErrorCode.SCHEMA,
                  "encryptEventId is set by the crypto-service only, not by " + event.source(),
                  event.id(),
                  event.source(),
                  event.sigkid())));
    }
    // The application event the answer names, so that the application believes it only for the
    // event it published: the encrypt request the crypto-service made this from, or this store
    // request itself when an application wrote it. (A store request of a crypto-service from
    // before encryptEventId names none; its answer names none either, and is not believed.)
    String answers = fromCryptoService ? request.encryptEventIdIfAny().orElse(null) : event.id();
    StoreResult result;
    StoreFailure refusal = null;
    try {
      refuseTokenOfAnotherCertificate(event, request);
      refuseOversized(request);
      DataStore.Stored stored = storeWithRetry(tenant, request, running);
      result =
          new StoreResult(
              request.requestId(),
              request.recordId(),
              stored == DataStore.Stored.STORED
                  ? StoreResult.Status.STORED
                  : StoreResult.Status.DUPLICATE,
              null,
              answers);
    } catch (StoreFailure f) {
      LOG.warnf(
          "store request %s of tenant %s rejected: %s", request.requestId(), tenant, f.detail());
      refusal = f;
      result =
          new StoreResult(
              request.requestId(),
              request.recordId(),
              StoreResult.Status.REJECTED,
              f.resultCode(),
              answers);
    } catch (Stopped s) {
      throw s;
    } catch (RuntimeException bug) {
      // Nobody mapped this exception: a bug. The same record would fail the same way on every
      // retry and hold up its lane forever, so it is decided now — REJECTED, INTERNAL — and its
      // stack trace goes to the log (its message may hold data; the dead letter gets the class).
      LOG.errorf(bug, "store request %s of tenant %s failed", request.requestId(), tenant);
      refusal =
          new StoreFailure(
              ErrorCode.INTERNAL, null, "store failed: " + bug.getClass().getName(), bug);
      result =
          new StoreResult(
              request.requestId(),
              request.recordId(),
              StoreResult.Status.REJECTED,
              refusal.resultCode(),
              answers);
    }
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(3);
    SignedEvent signed = signer.sign(EventCatalog.STORE_COMPLETED, tenant, result.toData());
    out.add(
        new ProducerRecord<>(
            Topics.STORE_RESULTS, tenant.getBytes(StandardCharsets.UTF_8), signed.bytes()));
    if (refusal != null) {
      out.addAll(
          deadLetter(
              gate.refuse(
                  record,
                  new Rejection(
                      refusal.code(),
                      refusal.detail(),
                      event.id(),
                      event.source(),
                      event.sigkid()))));
    }
    listener.outcome(result.status().name(), result.errorCode() == null ? "" : result.errorCode());
    return out;
  }

  /**
   * A store request an application signed itself (DESIGN §3: "crypto or app → data") must carry a
   * token bound ({@code cnf}) to a certificate its signing key's registry entry names, as the
   * crypto-service requires of encrypt requests (docs/tenant-tokens.md): else another application
   * could store records under the tenant of a token it copied. The data-service holds no token key,
   * so it reads {@code cnf} without the MAC ({@link TenantTokens#unverifiedCertThumbprint}); the
   * database then verifies the MAC over exactly those claims, so a forged one is refused there. A
   * store request of the crypto-service carries a token the crypto-service already bound to the
   * encrypt request's signer, and is not checked here. In an application's own request, a token
   * whose {@code cnf} cannot be read, and any token under a key bound to no certificate, are
   * refused too (fail closed).
   */
  private void refuseTokenOfAnotherCertificate(VerifiedEvent event, StoreRequest request) {
    if (StoreResult.CRYPTO_SERVICE_SOURCE.equals(event.source())) {
      return;
    }
    RegisteredKey signedWith =
        registry
            .find(event.sigkid())
            .orElseThrow(() -> new IllegalStateException("verified event's key is not registered"));
    String detail = null;
    if (signedWith.certThumbprints().isEmpty()) {
      detail = "the signing key is bound to no client certificate in the key registry";
    } else if (!TenantTokens.unverifiedCertThumbprint(request.tenantToken())
        .map(signedWith::isBoundTo)
        .orElse(false)) {
      detail = "token is bound to another client certificate than its signer's";
    }
    if (detail != null) {
      throw new StoreFailure(
          RefusalCode.TOKEN_CNF.errorCode(),
          RefusalCode.TOKEN_CNF,
          RefusalCode.TOKEN_CNF.code() + ": " + detail,
          null);
    }
  }

  /**
   * A field ciphertext over {@link StoreRequest#MAX_FIELD_CIPHERTEXT_BYTES} is refused here, with
   * the procedure's code and message, before a connection is checked out: it costs no database
   * round trip and no row, and the request still gets its REJECTED result.
   */
  private static void refuseOversized(StoreRequest request) {
    request
        .oversizedField()
        .ifPresent(
            field -> {
              throw new StoreFailure(
                  RefusalCode.FIELD_TOO_LARGE.errorCode(),
                  RefusalCode.FIELD_TOO_LARGE,
                  RefusalCode.FIELD_TOO_LARGE.code()
                      + ": each field ciphertext is at most "
                      + StoreRequest.MAX_FIELD_CIPHERTEXT_BYTES
                      + " bytes ("
                      + field
                      + ")",
                  null);
            });
  }

  private DataStore.Stored storeWithRetry(
      String tenant, StoreRequest request, BooleanSupplier running) {
    long backoff = backoffMin.toMillis();
    boolean counted = false;
    try {
      while (true) {
        try {
          return store.store(tenant, request);
        } catch (StoreFailure f) {
          if (!f.retriable()) {
            throw f;
          }
          if (!counted) {
            listener.waiting(1);
            counted = true;
          }
          listener.retry(f.code().code());
          if (!running.getAsBoolean()) {
            throw new Stopped();
          }
          sleep(backoff);
          backoff = Math.min(backoffMax.toMillis(), backoff * 2);
        }
      }
    } finally {
      if (counted) {
        listener.waiting(-1);
      }
    }
  }

  private static List<ProducerRecord<byte[], byte[]>> deadLetter(RecordGate.DeadLetter dl) {
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(2);
    out.add(dl.deadLetter());
    dl.alert().ifPresent(out::add);
    return out;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Stopped();
    }
  }
}
