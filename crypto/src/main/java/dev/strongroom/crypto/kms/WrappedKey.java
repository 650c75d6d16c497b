package dev.strongroom.crypto.kms;

import java.util.Arrays;
import java.util.Objects;

/**
 * A data key wrapped by a key-encryption key (KEK): the KEK's name and version and the wrapped
 * bytes ({@code data_keys.kms_key_name}, {@code kms_key_version}, {@code wrapped_dek}). Immutable.
 */
public final class WrappedKey {
  private final String keyName;
  private final String keyVersion;
  private final byte[] bytes;

  private WrappedKey(String keyName, String keyVersion, byte[] bytes) {
    this.keyName = requireText(keyName, "keyName");
    this.keyVersion = requireText(keyVersion, "keyVersion");
    this.bytes = Objects.requireNonNull(bytes, "bytes");
  }

  public static WrappedKey of(String keyName, String keyVersion, byte[] bytes) {
    return new WrappedKey(keyName, keyVersion, Objects.requireNonNull(bytes, "bytes").clone());
  }

  public String keyName() {
    return keyName;
  }

  public String keyVersion() {
    return keyVersion;
  }

  /** The wrapped bytes (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  byte[] bytesNoCopy() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof WrappedKey)) {
      return false;
    }
    WrappedKey w = (WrappedKey) o;
    return keyName.equals(w.keyName)
        && keyVersion.equals(w.keyVersion)
        && Arrays.equals(bytes, w.bytes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keyName, keyVersion) * 31 + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "WrappedKey[" + keyName + "@" + keyVersion + ", " + bytes.length + " bytes]";
  }

  private static String requireText(String s, String name) {
    Objects.requireNonNull(s, name);
    if (s.isEmpty() || s.length() > 256) {
      throw new IllegalArgumentException(name + " must be 1..256 characters");
    }
    return s;
  }
}
