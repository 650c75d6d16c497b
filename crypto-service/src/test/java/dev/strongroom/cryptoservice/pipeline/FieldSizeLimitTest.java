package dev.strongroom.cryptoservice.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.aead.AesGcmHkdfFieldCipher;
import dev.strongroom.crypto.aead.FieldContext;
import dev.strongroom.crypto.cache.DataKeyCachePolicy;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/**
 * The field value limit in contracts ({@link StoreRequest#MAX_FIELD_BYTES}, which the client and
 * this service enforce) and the ciphertext limit the data-service and the procedure enforce are one
 * limit: the longest value the client lets through encrypts, under the suite this service uses, to
 * exactly the longest ciphertext that is stored.
 */
class FieldSizeLimitTest {
  @Test
  void longestAllowedValue_encryptsToExactlyTheLongestStoredCiphertext() {
    assertEquals(
        AesGcmHkdfFieldCipher.DEFAULT_ALGORITHM,
        DataKeyCachePolicy.builder().build().fieldAlgorithm(),
        "the data-key cache encrypts with the default suite");
    assertEquals(
        AesGcmHkdfFieldCipher.DEFAULT_ALGORITHM.headerLength() + AesGcmHkdfFieldCipher.TAG_LENGTH,
        StoreRequest.FIELD_ENVELOPE_OVERHEAD);
    SecureRandom random = new SecureRandom();
    AesGcmHkdfFieldCipher cipher =
        AesGcmHkdfFieldCipher.create(DataKey.generate("dek-limit", random), random);
    FieldContext ctx =
        FieldContext.builder()
            .tenantId("acme")
            .recordId("019ab0c0-1e00-7000-8000-0000000000a1")
            .fieldName("name")
            .schemaVersion(EncryptPipeline.FIELD_SCHEMA_VERSION)
            .dataKeyId("dek-limit")
            .build();
    assertEquals(
        StoreRequest.MAX_FIELD_CIPHERTEXT_BYTES,
        cipher.encrypt(new byte[StoreRequest.MAX_FIELD_BYTES], ctx).ciphertext().length);
  }
}
