package dev.strongroom.audit.note;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;

/**
 * A witness's Ed25519 cosignature (c2sp.org/tlog-cosignature, {@code cosignature/v1}, signature
 * type 0x04): key ID {@code SHA-256(name || 0x0A || 0x04 || publicKey)[:4]}, signature bytes {@code
 * u64 timestamp (big-endian) || Ed25519(message)} over the message {@code "cosignature/v1\n" "time
 * " <timestamp> "\n"} followed by the checkpoint's note text.
 */
public final class CosignatureV1Signer {
  static final int TYPE = 0x04;

  private final String name;
  private final KeyPair keys;
  private final byte[] publicKey;
  private final int keyId;

  private CosignatureV1Signer(String name, byte[] seed) {
    Notes.checkKeyName(name);
    this.name = name;
    this.keys = Ed25519Keys.fromSeed(seed);
    this.publicKey = Ed25519Keys.rawPublic(keys.getPublic());
    this.keyId = Notes.keyId(name, TYPE, publicKey);
  }

  /** A cosigner {@code name} with the 32-byte Ed25519 private key {@code seed}. */
  public static CosignatureV1Signer fromSeed(String name, byte[] seed) {
    return new CosignatureV1Signer(name, seed);
  }

  public String name() {
    return name;
  }

  public int keyId() {
    return keyId;
  }

  /** {@code <name>+<hex key ID>+base64(0x04 || publicKey)}. */
  public String verifierKey() {
    return name
        + "+"
        + VerifierKeys.hex8(keyId)
        + "+"
        + Base64.getEncoder().encodeToString(Ed25519Keys.concat(new byte[] {TYPE}, publicKey));
  }

  public CosignatureV1Verifier verifier() {
    return CosignatureV1Verifier.parse(verifierKey());
  }

  /** The cosignature of the checkpoint note text {@code text} at POSIX time {@code timestamp}. */
  public NoteSignature cosign(String text, long timestamp) {
    Notes.checkText(text);
    if (timestamp < 0) {
      throw new IllegalArgumentException("negative timestamp");
    }
    byte[] sig = Ed25519Keys.sign(keys.getPrivate(), message(text, timestamp));
    return new NoteSignature(
        name, keyId, ByteBuffer.allocate(8 + 64).putLong(timestamp).put(sig).array());
  }

  static byte[] message(String text, long timestamp) {
    return ("cosignature/v1\ntime " + timestamp + "\n" + text).getBytes(StandardCharsets.UTF_8);
  }
}
