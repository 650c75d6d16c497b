package dev.strongroom.bench;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.aead.AesGcmHkdfFieldCipher;
import dev.strongroom.crypto.kms.DataKeyWrapContext;
import dev.strongroom.crypto.kms.KeyWrapper;
import dev.strongroom.crypto.kms.WrappedKey;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * (b) The seed's direct path: the client makes a data key for every record, has the KMS wrap it
 * (one round trip per record, with the stack's KMS latency), encrypts the fields, then makes the
 * two procedure calls — each of {@code concurrency} client threads one record at a time.
 */
public final class DirectPathPhase implements Phase {
  private final ProcedureWriter writer;
  private final TenantSet tenants;
  private final KeyWrapper kms;
  private final String runId;
  private final SecureRandom random;
  private final ExecutorService clients;

  public DirectPathPhase(
      ProcedureWriter writer,
      TenantSet tenants,
      KeyWrapper kms,
      String runId,
      SecureRandom random,
      int concurrency) {
    this.writer = writer;
    this.tenants = tenants;
    this.kms = kms;
    this.runId = runId;
    this.random = random;
    this.clients =
        Executors.newFixedThreadPool(
            concurrency,
            r -> {
              Thread t = new Thread(r, "bench-direct-client");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public String name() {
    return "direct";
  }

  @Override
  public String description() {
    return "new data key + one KMS wrap + field encryption + the two procedure calls per record";
  }

  @Override
  public CompletionStage<?> submit(long seq) {
    return CompletableFuture.supplyAsync(() -> storeOne(seq), clients);
  }

  private String storeOne(long seq) {
    int t = (int) (seq % tenants.size());
    String tenant = tenants.tenant(t);
    String dekId = "bench-" + runId + "-b-" + seq;
    String recordId = Records.recordId();
    DataKey key = DataKey.generate(dekId, random);
    try {
      WrappedKey wrapped = kms.wrap(key, DataKeyWrapContext.encode(tenant, dekId));
      AesGcmHkdfFieldCipher cipher = AesGcmHkdfFieldCipher.create(key, random);
      StoreCall call =
          new StoreCall(
              "bench-" + runId + "-b-" + seq,
              recordId,
              dekId,
              wrapped.bytes(),
              wrapped.keyName(),
              wrapped.keyVersion(),
              null,
              null,
              Records.encrypt(cipher, tenant, recordId, dekId, Records.plaintext(seq)));
      // the seed's client is synchronous: this thread waits for its own commit
      return writer.store(tenants.token(t), call).toCompletionStage().toCompletableFuture().join();
    } finally {
      key.destroy();
    }
  }

  @Override
  public void close() {
    clients.shutdownNow();
    try {
      clients.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
