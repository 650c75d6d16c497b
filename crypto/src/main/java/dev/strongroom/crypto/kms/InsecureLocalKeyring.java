package dev.strongroom.crypto.kms;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.KmsException;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.internal.AesGcm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * <b>INSECURE — development and tests only.</b> A {@link KeyWrapper} whose KEKs are plain bytes in
 * a local file: anyone who can read the file can unwrap every data key. Use {@link
 * Pkcs11KeyWrapper} (or a cloud KMS) anywhere real data lives.
 *
 * <p>File format (UTF-8 text, one KEK version per line, the <em>last</em> line is the primary):
 *
 * <pre>
 * # comment
 * &lt;version&gt;:&lt;base64 of 32 random bytes&gt;
 * </pre>
 *
 * Wrapping is AES-256-GCM in software, in the layout of {@code WrapFormat} (see docs/crypto.md).
 */
public final class InsecureLocalKeyring implements KeyWrapper {
  private final String keyName;
  private final Map<String, byte[]> keks;
  private final String primaryVersion;
  private final SecureRandom random;

  private InsecureLocalKeyring(
      String keyName, Map<String, byte[]> keks, String primaryVersion, SecureRandom random) {
    this.keyName = Objects.requireNonNull(keyName, "keyName");
    this.keks = keks;
    this.primaryVersion = primaryVersion;
    this.random = random;
  }

  /** Loads the keyring file. */
  public static InsecureLocalKeyring load(String keyName, Path file, SecureRandom random) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new KmsException("cannot read local keyring " + file, false, e);
    }
    Map<String, byte[]> keks = new LinkedHashMap<>();
    String primary = null;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new KmsException("malformed local keyring line in " + file, false, null);
      }
      String version = line.substring(0, colon);
      byte[] kek;
      try {
        kek = Base64.getDecoder().decode(line.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        throw new KmsException("malformed local keyring key in " + file, false, null);
      }
      if (kek.length != AesGcm.KEY_LENGTH) {
        throw new KmsException("local keyring keys must be 32 bytes", false, null);
      }
      keks.put(version, kek);
      primary = version;
    }
    if (primary == null) {
      throw new KmsException("local keyring " + file + " holds no key", false, null);
    }
    return new InsecureLocalKeyring(keyName, keks, primary, random);
  }

  /**
   * Appends a new random KEK version to {@code file} (creating it owner-read/write only), making it
   * the primary. Development convenience.
   */
  public static void addVersion(Path file, String version, SecureRandom random) {
    if (version.isEmpty() || version.contains(":") || version.contains("\n")) {
      throw new IllegalArgumentException("bad version");
    }
    try {
      if (Files.exists(file)
          && Files.readAllLines(file).stream().anyMatch(l -> l.startsWith(version + ":"))) {
        // a second KEK under one version would shadow the first: what it wrapped is lost
        throw new KmsException(
            "local keyring " + file + " already holds version " + version, false, null);
      }
    } catch (IOException e) {
      throw new KmsException("cannot read local keyring " + file, false, e);
    }
    byte[] kek = new byte[AesGcm.KEY_LENGTH];
    random.nextBytes(kek);
    String line = version + ":" + Base64.getEncoder().encodeToString(kek) + "\n";
    Arrays.fill(kek, (byte) 0);
    try {
      if (!Files.exists(file)) {
        // Created with its final mode in the create call itself: never a moment at 0644.
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(
            file, "# INSECURE development keyring: KEKs in clear. Never for real data.\n");
      }
      Files.writeString(file, line, java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new KmsException("cannot write local keyring " + file, false, e);
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
    byte[] kek = keks.get(primaryVersion);
    byte[] sealed =
        dataKey.useKeyBytes(SecretKeyAccess.insecure(), dek -> AesGcm.encrypt(kek, iv, aad, dek));
    return WrappedKey.of(keyName, primaryVersion, WrapFormat.encode(iv, sealed));
  }

  @Override
  public DataKey unwrap(WrappedKey wrapped, String dataKeyId, byte[] associatedData) {
    byte[] b = wrapped.bytesNoCopy();
    byte[] kek = keks.get(wrapped.keyVersion());
    if (!keyName.equals(wrapped.keyName()) || kek == null) {
      throw new InvalidCiphertextException();
    }
    WrapFormat.Parts parts = WrapFormat.parse(b);
    byte[] aad = WrapFormat.aad(wrapped.keyName(), wrapped.keyVersion(), associatedData);
    byte[] dek = AesGcm.decrypt(kek, parts.iv(), aad, parts.ciphertextAndTag());
    return DataKey.adopt(dataKeyId, dek, SecretKeyAccess.insecure());
  }

  @Override
  public String toString() {
    return "InsecureLocalKeyring[" + keyName + "@" + primaryVersion + "]";
  }
}
