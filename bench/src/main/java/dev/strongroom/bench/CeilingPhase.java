package dev.strongroom.bench;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.aead.AesGcmHkdfFieldCipher;
import dev.strongroom.crypto.kms.DataKeyWrapContext;
import dev.strongroom.crypto.kms.KeyWrapper;
import dev.strongroom.crypto.kms.WrappedKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * (a) The database's own ceiling: the two procedure calls per record with ciphertext made before
 * the phase starts — no Kafka, no crypto, no KMS on the clock. Each tenant has one data key (as
 * with the pipeline's cache) and a pool of ready-made encrypted records; every call has a fresh
 * request and record id, so every call stores a new row.
 */
public final class CeilingPhase implements Phase {
  static final int READY_MADE_PER_TENANT = 64;

  private final ProcedureWriter writer;
  private final TenantSet tenants;
  private final String runId;
  private final List<Ready> ready = new ArrayList<>();

  private record Ready(String tenant, String dekId, WrappedKey wrapped, List<StoreCall.Field> f) {}

  /** Encrypts the ready-made records now, with one data key per tenant wrapped by {@code kms}. */
  public CeilingPhase(
      ProcedureWriter writer, TenantSet tenants, KeyWrapper kms, String runId, SecureRandom rnd) {
    this.writer = writer;
    this.tenants = tenants;
    this.runId = runId;
    for (int t = 0; t < tenants.size(); t++) {
      String tenant = tenants.tenant(t);
      String dekId = "bench-" + runId + "-ceiling-" + t;
      DataKey key = DataKey.generate(dekId, rnd);
      try {
        WrappedKey wrapped = kms.wrap(key, DataKeyWrapContext.encode(tenant, dekId));
        AesGcmHkdfFieldCipher cipher = AesGcmHkdfFieldCipher.create(key, rnd);
        for (int i = 0; i < READY_MADE_PER_TENANT; i++) {
          String recordId = Records.recordId();
          ready.add(
              new Ready(
                  tenant,
                  dekId,
                  wrapped,
                  Records.encrypt(cipher, tenant, recordId, dekId, Records.plaintext(i))));
        }
      } finally {
        key.destroy();
      }
    }
  }

  @Override
  public String name() {
    return "ceiling";
  }

  @Override
  public String description() {
    return "security_set_tenant + app_create_user_encrypted with ready-made ciphertext";
  }

  @Override
  public CompletionStage<?> submit(long seq) {
    int t = (int) (seq % tenants.size());
    Ready r =
        ready.get(
            t * READY_MADE_PER_TENANT + (int) ((seq / tenants.size()) % READY_MADE_PER_TENANT));
    StoreCall call =
        new StoreCall(
            "bench-" + runId + "-a-" + seq,
            Records.recordId(),
            r.dekId(),
            r.wrapped().bytes(),
            r.wrapped().keyName(),
            r.wrapped().keyVersion(),
            null,
            null,
            r.f());
    return writer.store(tenants.token(t), call).toCompletionStage();
  }
}
