package dev.strongroom.crypto.kms;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.KmsException;
import dev.strongroom.crypto.SecretKeyAccess;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * A {@link KeyWrapper} whose KEK is an AES-256 secret key object inside a PKCS#11 token (an HSM;
 * SoftHSM2 in development and tests), reached through the JDK's SunPKCS11 provider. The KEK is
 * created inside the token as a persistent, sensitive, non-extractable object ({@code CKA_TOKEN},
 * {@code CKA_SENSITIVE}, {@code !CKA_EXTRACTABLE}); wrap and unwrap are AES-GCM encrypt/decrypt
 * <em>inside the token</em> ({@code CKM_AES_GCM}; SoftHSM2 through SunPKCS11 offers neither {@code
 * AES/KW} nor {@code AES/KWP}, DESIGN §8). The data key crosses the PKCS#11 boundary in clear on
 * its way in and out, exactly as with a KMS's Encrypt/Decrypt API; the KEK never does.
 *
 * <p>The token object's label (the SunPKCS11 KeyStore alias) is {@code <keyName>@<version>}.
 * Wrapped bytes follow {@code WrapFormat}, the same layout as {@link InsecureLocalKeyring}.
 */
public final class Pkcs11KeyWrapper implements KeyWrapper {
  private final Provider provider;
  private final KeyStore keyStore;
  private final String keyName;
  private final String primaryVersion;
  private final SecureRandom random;

  private Pkcs11KeyWrapper(
      Provider provider,
      KeyStore keyStore,
      String keyName,
      String primaryVersion,
      SecureRandom random) {
    this.provider = provider;
    this.keyStore = keyStore;
    this.keyName = keyName;
    this.primaryVersion = primaryVersion;
    this.random = random;
  }

  /**
   * Configures a SunPKCS11 provider instance for one token slot. Every secret key it creates is
   * sensitive and non-extractable.
   *
   * @param name a provider name suffix, unique in this JVM
   * @param library the PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}
   * @param slotId the slot id (as {@code softhsm2-util --show-slots} prints it)
   */
  public static Provider configureProvider(String name, Path library, long slotId) {
    String config =
        "--name = "
            + name
            + "\nlibrary = "
            + library.toAbsolutePath()
            + "\nslot = "
            + slotId
            + "\nattributes(*, CKO_SECRET_KEY, *) = {\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n";
    Provider base = Security.getProvider("SunPKCS11");
    if (base == null) {
      throw new KmsException("the SunPKCS11 provider is not available in this JDK", false, null);
    }
    try {
      return base.configure(config);
    } catch (ProviderException | java.security.InvalidParameterException e) {
      throw new KmsException("cannot configure PKCS#11 slot " + slotId, false, e);
    }
  }

  /** Logs in to the token and opens the wrapper for an existing KEK. */
  public static Pkcs11KeyWrapper open(
      Provider provider, char[] pin, String keyName, String primaryVersion, SecureRandom random) {
    KeyStore ks = login(provider, pin);
    Pkcs11KeyWrapper w =
        new Pkcs11KeyWrapper(
            provider, ks, requireName(keyName), requireName(primaryVersion), random);
    w.kek(primaryVersion); // fail fast if the primary KEK is missing
    return w;
  }

  /**
   * Generates a new KEK version inside the token as a persistent token object labelled {@code
   * <keyName>@<version>}. Refuses to replace an existing object with that label.
   */
  public static void generateKek(Provider provider, char[] pin, String keyName, String version) {
    KeyStore ks = login(provider, pin);
    String alias = alias(requireName(keyName), requireName(version));
    try {
      if (ks.containsAlias(alias)) {
        throw new KmsException("the token already holds " + alias, false, null);
      }
      KeyGenerator kg = KeyGenerator.getInstance("AES", provider);
      kg.init(256);
      SecretKey sessionKey = kg.generateKey();
      // Storing a session key through the PKCS#11 KeyStore copies it into a token object.
      ks.setEntry(alias, new KeyStore.SecretKeyEntry(sessionKey), null);
    } catch (GeneralSecurityException | ProviderException e) {
      throw new KmsException("cannot generate KEK " + alias, false, e);
    }
  }

  @Override
  public String keyName() {
    return keyName;
  }

  @Override
  public String primaryVersion() {
    return primaryVersion;
  }

  @Override
  public WrappedKey wrap(DataKey dataKey, byte[] associatedData) {
    byte[] iv = new byte[WrapFormat.IV_LENGTH];
    random.nextBytes(iv);
    byte[] aad = WrapFormat.aad(keyName, primaryVersion, associatedData);
    Key kek = kek(primaryVersion);
    byte[] sealed;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding", provider);
      c.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(128, iv));
      c.updateAAD(aad);
      sealed = dataKey.useKeyBytes(SecretKeyAccess.insecure(), dek -> doFinal(c, dek));
    } catch (GeneralSecurityException | ProviderException e) {
      throw new KmsException("PKCS#11 wrap failed", true, e);
    }
    return WrappedKey.of(keyName, primaryVersion, WrapFormat.encode(iv, sealed));
  }

  @Override
  public DataKey unwrap(WrappedKey wrapped, String dataKeyId, byte[] associatedData) {
    if (!keyName.equals(wrapped.keyName())) {
      throw new InvalidCiphertextException();
    }
    WrapFormat.Parts parts = WrapFormat.parse(wrapped.bytesNoCopy());
    Key kek = kekOrInvalid(wrapped.keyVersion());
    byte[] aad = WrapFormat.aad(wrapped.keyName(), wrapped.keyVersion(), associatedData);
    byte[] dek;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding", provider);
      c.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(128, parts.iv()));
      c.updateAAD(aad);
      dek = c.doFinal(parts.ciphertextAndTag());
    } catch (AEADBadTagException e) {
      throw new InvalidCiphertextException();
    } catch (GeneralSecurityException e) {
      // The token reports a failed tag check as an invalid-data error, not always as AEADBadTag.
      throw new InvalidCiphertextException();
    } catch (ProviderException e) {
      throw new KmsException("PKCS#11 unwrap failed", true, e);
    }
    return DataKey.adopt(dataKeyId, dek, SecretKeyAccess.insecure());
  }

  /** The token key object of a version (for tests: it must not be extractable). */
  Key kek(String version) {
    try {
      Key k = keyStore.getKey(alias(keyName, version), null);
      if (k == null) {
        throw new KmsException("the token holds no KEK " + alias(keyName, version), false, null);
      }
      return k;
    } catch (GeneralSecurityException e) {
      throw new KmsException("cannot read KEK " + alias(keyName, version), false, e);
    }
  }

  private Key kekOrInvalid(String version) {
    try {
      Key k = keyStore.getKey(alias(keyName, version), null);
      if (k == null) {
        throw new InvalidCiphertextException();
      }
      return k;
    } catch (GeneralSecurityException e) {
      throw new KmsException("cannot read KEK " + alias(keyName, version), true, e);
    }
  }

  private static byte[] doFinal(Cipher c, byte[] in) {
    try {
      return c.doFinal(in);
    } catch (GeneralSecurityException e) {
      throw new KmsException("PKCS#11 wrap failed", true, e);
    }
  }

  private static KeyStore login(Provider provider, char[] pin) {
    Objects.requireNonNull(pin, "pin");
    try {
      KeyStore ks = KeyStore.getInstance("PKCS11", provider);
      ks.load(null, pin);
      return ks;
    } catch (GeneralSecurityException | java.io.IOException | ProviderException e) {
      throw new KmsException("PKCS#11 login failed", false, e);
    }
  }

  static String alias(String keyName, String version) {
    return keyName + "@" + version;
  }

  private static String requireName(String s) {
    Objects.requireNonNull(s);
    if (s.isEmpty() || s.contains("@") || s.length() > 100) {
      throw new IllegalArgumentException(
          "key names and versions are 1..100 characters without '@'");
    }
    return s;
  }

  @Override
  public String toString() {
    return "Pkcs11KeyWrapper["
        + keyName
        + "@"
        + primaryVersion
        + " via "
        + provider.getName()
        + "]";
  }
}
