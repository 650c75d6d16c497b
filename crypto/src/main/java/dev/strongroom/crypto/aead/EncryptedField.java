package dev.strongroom.crypto.aead;

import java.util.Arrays;
import java.util.Objects;

/**
 * One encrypted field as it is stored: the envelope for {@code <field>_ct} and the 12-byte GCM IV
 * for {@code <field>_iv} (DESIGN §4, table {@code users}). Immutable; accessors return copies.
 */
public final class EncryptedField {
  private final byte[] ciphertext;
  private final byte[] iv;

  private EncryptedField(byte[] ciphertext, byte[] iv) {
    this.ciphertext = ciphertext;
    this.iv = iv;
  }

  /** From the two stored columns. Nothing is validated here: decryption validates. */
  public static EncryptedField of(byte[] ciphertext, byte[] iv) {
    return new EncryptedField(
        Objects.requireNonNull(ciphertext, "ciphertext").clone(),
        Objects.requireNonNull(iv, "iv").clone());
  }

  static EncryptedField adopt(byte[] ciphertext, byte[] iv) {
    return new EncryptedField(ciphertext, iv);
  }

  /** The envelope, for the {@code <field>_ct} column. */
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  /** The 96-bit GCM IV, for the {@code <field>_iv} column. */
  public byte[] iv() {
    return iv.clone();
  }

  byte[] ciphertextNoCopy() {
    return ciphertext;
  }

  byte[] ivNoCopy() {
    return iv;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptedField
        && Arrays.equals(ciphertext, ((EncryptedField) o).ciphertext)
        && Arrays.equals(iv, ((EncryptedField) o).iv);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ciphertext) + Arrays.hashCode(iv);
  }

  @Override
  public String toString() {
    return "EncryptedField[" + ciphertext.length + " bytes, iv " + iv.length + " bytes]";
  }
}
