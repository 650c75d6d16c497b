package dev.strongroom.dataservice.store;

import dev.strongroom.contracts.records.StoreRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The data plane's database port: every call binds a pooled {@code app_user} connection to the
 * tenant its token names ({@code security_set_tenant}) at checkout, runs one procedure, and clears
 * the binding ({@code security_clear_tenant}) at check-in; a connection is never shared while
 * bound. Blocking: callers are lane or worker threads, never an event loop.
 *
 * @see dev.strongroom.dataservice.db.VertxDataStore
 */
public interface DataStore extends AutoCloseable {
  /** What {@code app_create_user_encrypted} answered. */
  enum Stored {
    STORED,
    DUPLICATE
  }

  /**
   * Stores one record through {@code app_create_user_encrypted}, idempotent by request id. A
   * DUPLICATE is this request's only if the stored row is its record: the procedure answers
   * DUPLICATE for any row of the bound tenant with that request id, and one of another record id is
   * refused {@code SR-REQUEST-EXISTS} here (another writer of the tenant stored under the request
   * id first; the requester's record is not stored).
   *
   * @param expectedTenant the tenant the request's event names; a token for another tenant is
   *     refused ({@code SR-TOKEN-TENANT}) before anything is written
   * @throws StoreFailure retriable or a refusal
   */
  Stored store(String expectedTenant, StoreRequest request);

  /** A stored record's ciphertext envelope as {@code app_record_decrypt} returned it. */
  record Envelope(
      String decryptId,
      String recordId,
      String tenant,
      StoreRequest.DataKeyRef dataKey,
      Map<String, StoreRequest.FieldCiphertext> fields,
      Instant createdAt) {}

  /**
   * Reads a record's envelope through {@code app_record_decrypt}: the read is recorded in the audit
   * chain (tenant, record, reader) before any ciphertext is returned.
   *
   * @param reader the token's {@code sub}
   */
  Envelope readForDecrypt(String token, String recordId, String reader);

  /** One line of {@code app_list_users}. */
  record Summary(String recordId, String requestId, String dekId, Instant createdAt) {}

  /** The bound tenant's records through {@code app_list_users(limit)}, oldest first. */
  List<Summary> list(String token, int limit);

  @Override
  void close();
}
