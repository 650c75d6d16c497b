package dev.strongroom.audit.note;

import java.util.Arrays;
import java.util.Base64;

/** The verifier key string {@code <name>+<hex key ID>+base64(type || key)} (C2SP signed-note). */
final class VerifierKeys {
  private VerifierKeys() {}

  record Parts(String name, int keyId, byte[] key) {}

  static Parts parse(String vkey, int type, int keyLength) {
    String[] parts = vkey.split("\\+", 3);
    if (parts.length != 3) {
      throw new MalformedNoteException("a verifier key is name+id+key");
    }
    Notes.checkKeyName(parts[0]);
    if (!parts[1].matches("[0-9a-f]{8}")) {
      throw new MalformedNoteException("a verifier key ID is 8 lower-case hex digits");
    }
    byte[] k = decode(parts[2]);
    if (k.length == 0 || (k[0] & 0xff) != type) {
      throw new MalformedNoteException(
          "verifier key of type " + (k.length == 0 ? "none" : k[0] & 0xff) + ", want " + type);
    }
    if (k.length != keyLength + 1) {
      throw new MalformedNoteException("verifier key has the wrong length");
    }
    int id = Integer.parseUnsignedInt(parts[1], 16);
    byte[] raw = Arrays.copyOfRange(k, 1, k.length);
    if (Notes.keyId(parts[0], type, raw) != id) {
      throw new MalformedNoteException("verifier key ID does not match the key");
    }
    return new Parts(parts[0], id, raw);
  }

  /** Strict standard base64 (padding required, nothing else). */
  static byte[] decode(String s) {
    try {
      byte[] b = Base64.getDecoder().decode(s);
      if (!Base64.getEncoder().encodeToString(b).equals(s)) {
        throw new MalformedNoteException("not canonical base64");
      }
      return b;
    } catch (IllegalArgumentException e) {
      throw new MalformedNoteException("not base64");
    }
  }

  static String hex8(int id) {
    return String.format("%08x", id);
  }
}
