package dev.strongroom.backup;

import dev.strongroom.contracts.keys.Ed25519Keys;
import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.crypto.kms.KeyWrapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * The keys a backup is made and checked with: the stack's KMS (wraps each backup's fresh AES-256
 * key in the crypto library's wrapped-key format), the Ed25519 backup signing key (absent where
 * only restores run), and the trusted public key manifests must verify under.
 *
 * <p>Wrap associated data: {@code "SRBK1" || u32-BE(len) || UTF-8 backup id}, so a wrapped key
 * copied into another backup's manifest does not unwrap. Signature file ({@code manifest.sig}), one
 * line: {@code ed25519 <kid> <base64url signature of the manifest.json bytes>}.
 */
public record BackupKeys(KeyWrapper kms, Optional<SigningKey> signer, byte[] trustedPublicKey) {
  public BackupKeys {
    Objects.requireNonNull(kms, "kms");
    Objects.requireNonNull(signer, "signer");
    if (trustedPublicKey == null || trustedPublicKey.length != Ed25519Keys.KEY_LENGTH) {
      throw new IllegalArgumentException("the trusted backup key is a raw 32-byte Ed25519 key");
    }
    trustedPublicKey = trustedPublicKey.clone();
  }

  @Override
  public byte[] trustedPublicKey() {
    return trustedPublicKey.clone();
  }

  /** The associated data a backup key is wrapped with. */
  public static byte[] wrapContext(String backupId) {
    byte[] id = backupId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(5 + 4 + id.length)
        .put("SRBK1".getBytes(StandardCharsets.US_ASCII))
        .putInt(id.length)
        .put(id)
        .array();
  }

  /** The signature line for {@code manifest}. */
  String sign(byte[] manifest) {
    SigningKey key =
        signer.orElseThrow(() -> new IllegalStateException("no backup signing key configured"));
    return "ed25519 "
        + key.kid()
        + " "
        + Base64.getUrlEncoder().withoutPadding().encodeToString(key.sign(manifest))
        + "\n";
  }

  /**
   * Checks a signature line against the trusted key.
   *
   * @throws BackupException {@code SIGNATURE_INVALID} naming {@code manifest.sig}
   */
  void verify(byte[] manifest, String signatureLine) {
    String[] f = signatureLine.strip().split(" ");
    boolean ok = false;
    if (f.length == 3 && f[0].equals("ed25519")) {
      try {
        byte[] sig = Base64.getUrlDecoder().decode(f[2]);
        ok =
            f[1].equals(Ed25519Keys.kid(trustedPublicKey))
                && sig.length == Ed25519Keys.SIGNATURE_LENGTH
                && Ed25519Keys.verify(trustedPublicKey, manifest, sig);
      } catch (IllegalArgumentException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new BackupException(
          BackupException.Reason.SIGNATURE_INVALID,
          Manifest.SIGNATURE_FILE,
          "the manifest's signature does not verify under the trusted backup key "
              + Ed25519Keys.kid(trustedPublicKey));
    }
  }
}
