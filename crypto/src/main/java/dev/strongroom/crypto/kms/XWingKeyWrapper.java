package dev.strongroom.crypto.kms;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.KmsException;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.internal.AesGcm;
import dev.strongroom.crypto.internal.Hkdf;
import dev.strongroom.crypto.internal.LengthPrefixed;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.prng.FixedSecureRandom;
import org.bouncycastle.pqc.crypto.xwing.XWingKEMExtractor;
import org.bouncycastle.pqc.crypto.xwing.XWingKEMGenerator;
import org.bouncycastle.pqc.crypto.xwing.XWingKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.xwing.XWingKeyPairGenerator;
import org.bouncycastle.pqc.crypto.xwing.XWingPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.xwing.XWingPublicKeyParameters;

/**
 * An additional, post-quantum hybrid wrap of a data key ({@code data_keys.pq_wrapped_dek}, {@code
 * pq_alg} = {@value #PQ_ALG}): X-Wing (ML-KEM-768 + X25519, draft-connolly-cfrg-xwing-kem-10,
 * Bouncy Castle) encapsulates a shared secret to a recipient public key; HKDF-SHA-256 turns it into
 * an AES-256-GCM key that seals the DEK. Never required: the primary wrap stays the HSM/KMS one;
 * this one protects stored wrapped keys against a future quantum adversary who recorded them.
 *
 * <p>A wrapper built with {@link #forRecipient} can only wrap; {@link #withPrivateKey} also
 * unwraps.
 *
 * <pre>
 * offset  length  content (pq_wrapped_dek)
 * 0       1       format version 0x01
 * 1       1       algorithm 0x02 = XWING_MLKEM768_X25519_HKDF_SHA256_AES_256_GCM
 * 2       1120    X-Wing ciphertext
 * 1122    12      IV
 * 1134    32      encrypted DEK
 * 1166    16      GCM tag
 * </pre>
 *
 * key = HKDF-SHA-256(salt = empty, IKM = X-Wing shared secret, info = "strongroom/xwing-wrap/v1",
 * 32); GCM AAD = {@code "SRPQ1" || bytes 0..1 || lp(keyName) || lp(keyVersion) ||
 * lp(associatedData)}.
 */
public final class XWingKeyWrapper implements KeyWrapper {
  /** The {@code data_keys.pq_alg} value. */
  public static final String PQ_ALG = "XWING_MLKEM768_X25519_HKDF_SHA256_AES_256_GCM";

  public static final int PUBLIC_KEY_LENGTH = 1216;
  public static final int PRIVATE_KEY_LENGTH = 32;
  static final int VERSION = 0x01;
  static final int ALG = 0x02;
  static final int CT_LENGTH = 1120;
  static final int LENGTH = 2 + CT_LENGTH + 12 + 32 + 16;
  private static final byte[] INFO = "strongroom/xwing-wrap/v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DOMAIN = "SRPQ1".getBytes(StandardCharsets.US_ASCII);

  private final String keyName;
  private final String keyVersion;
  private final XWingPublicKeyParameters publicKey;
  private final XWingPrivateKeyParameters privateKey;
  private final SecureRandom random;

  private XWingKeyWrapper(
      String keyName,
      String keyVersion,
      XWingPublicKeyParameters pk,
      XWingPrivateKeyParameters sk,
      SecureRandom random) {
    this.keyName = Objects.requireNonNull(keyName, "keyName");
    this.keyVersion = Objects.requireNonNull(keyVersion, "keyVersion");
    this.publicKey = pk;
    this.privateKey = sk;
    this.random = Objects.requireNonNull(random, "random");
  }

  /** A generated X-Wing key pair: the 1216-byte public key and the 32-byte private seed. */
  public static final class KeyPair {
    private final byte[] publicKey;
    private final byte[] privateSeed;

    KeyPair(byte[] publicKey, byte[] privateSeed) {
      this.publicKey = publicKey;
      this.privateSeed = privateSeed;
    }

    public byte[] publicKey() {
      return publicKey.clone();
    }

    public byte[] privateKey(SecretKeyAccess access) {
      SecretKeyAccess.check(access);
      return privateSeed.clone();
    }
  }

  /** Generates a recipient key pair (the private key is the draft's 32-byte seed). */
  public static KeyPair generateKeyPair(SecureRandom random) {
    return keyPairFromSeed(randomSeed(random));
  }

  /** Deterministic key generation from a 32-byte seed (draft §5.2, for tests and recovery). */
  public static KeyPair keyPairFromSeed(byte[] seed) {
    if (seed.length != PRIVATE_KEY_LENGTH) {
      throw new IllegalArgumentException("an X-Wing private key is 32 bytes");
    }
    XWingKeyPairGenerator g = new XWingKeyPairGenerator();
    g.init(new XWingKeyGenerationParameters(new FixedSecureRandom(seed)));
    AsymmetricCipherKeyPair kp = g.generateKeyPair();
    return new KeyPair(
        ((XWingPublicKeyParameters) kp.getPublic()).getEncoded(),
        ((XWingPrivateKeyParameters) kp.getPrivate()).getEncoded());
  }

  /** A wrap-only instance for the recipient's public key. */
  public static XWingKeyWrapper forRecipient(
      String keyName, String keyVersion, byte[] publicKey, SecureRandom random) {
    if (publicKey.length != PUBLIC_KEY_LENGTH) {
      throw new IllegalArgumentException("an X-Wing public key is 1216 bytes");
    }
    return new XWingKeyWrapper(
        keyName, keyVersion, new XWingPublicKeyParameters(publicKey), null, random);
  }

  /** An instance that wraps and unwraps, from the 32-byte private key. */
  public static XWingKeyWrapper withPrivateKey(
      String keyName, String keyVersion, byte[] privateKey, SecureRandom random) {
    KeyPair kp = keyPairFromSeed(privateKey);
    return new XWingKeyWrapper(
        keyName,
        keyVersion,
        new XWingPublicKeyParameters(kp.publicKey),
        new XWingPrivateKeyParameters(privateKey.clone()),
        random);
  }

  @Override
  public String keyName() {
    return keyName;
  }

  @Override
  public String primaryVersion() {
    return keyVersion;
  }

  @Override
  public WrappedKey wrap(DataKey dataKey, byte[] associatedData) {
    byte[] eseed = new byte[64];
    random.nextBytes(eseed);
    SecretWithEncapsulation enc =
        new XWingKEMGenerator(new FixedSecureRandom(eseed)).generateEncapsulated(publicKey);
    Arrays.fill(eseed, (byte) 0);
    byte[] ct = enc.getEncapsulation();
    byte[] key = Hkdf.SHA256.derive(null, enc.getSecret(), INFO, 32);
    try {
      enc.destroy();
    } catch (javax.security.auth.DestroyFailedException ignored) {
      // best effort
    }
    byte[] out = new byte[LENGTH];
    out[0] = (byte) VERSION;
    out[1] = (byte) ALG;
    System.arraycopy(ct, 0, out, 2, CT_LENGTH);
    byte[] iv = new byte[12];
    random.nextBytes(iv);
    System.arraycopy(iv, 0, out, 2 + CT_LENGTH, 12);
    byte[] aad = aad(associatedData);
    try {
      dataKey.useKeyBytes(
          SecretKeyAccess.insecure(),
          dek -> AesGcm.encrypt(key, iv, aad, dek, 0, dek.length, out, 2 + CT_LENGTH + 12));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    return WrappedKey.of(keyName, keyVersion, out);
  }

  @Override
  public DataKey unwrap(WrappedKey wrapped, String dataKeyId, byte[] associatedData) {
    if (privateKey == null) {
      throw new KmsException("this X-Wing wrapper holds only the public key", false, null);
    }
    byte[] b = wrapped.bytesNoCopy();
    if (!keyName.equals(wrapped.keyName())
        || !keyVersion.equals(wrapped.keyVersion())
        || b.length != LENGTH
        || (b[0] & 0xFF) != VERSION
        || (b[1] & 0xFF) != ALG) {
      throw new InvalidCiphertextException();
    }
    byte[] ss;
    try {
      ss = new XWingKEMExtractor(privateKey).extractSecret(Arrays.copyOfRange(b, 2, 2 + CT_LENGTH));
    } catch (RuntimeException e) {
      throw new InvalidCiphertextException();
    }
    byte[] key = Hkdf.SHA256.derive(null, ss, INFO, 32);
    Arrays.fill(ss, (byte) 0);
    try {
      byte[] iv = Arrays.copyOfRange(b, 2 + CT_LENGTH, 2 + CT_LENGTH + 12);
      byte[] dek = AesGcm.decrypt(key, iv, aad(associatedData), b, 2 + CT_LENGTH + 12, 48);
      return DataKey.adopt(dataKeyId, dek, SecretKeyAccess.insecure());
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private byte[] aad(byte[] associatedData) {
    return new LengthPrefixed()
        .raw(DOMAIN)
        .raw(new byte[] {(byte) VERSION, (byte) ALG})
        .utf8(keyName)
        .utf8(keyVersion)
        .bytes(associatedData == null ? new byte[0] : associatedData)
        .toByteArray();
  }

  private static byte[] randomSeed(SecureRandom random) {
    byte[] s = new byte[PRIVATE_KEY_LENGTH];
    random.nextBytes(s);
    return s;
  }

  @Override
  public String toString() {
    return "XWingKeyWrapper["
        + keyName
        + "@"
        + keyVersion
        + (privateKey == null ? ", wrap only" : "")
        + "]";
  }
}
