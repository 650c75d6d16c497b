package dev.strongroom.audit.note;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * Signs notes with Ed25519 (C2SP signed-note, signature type 0x01): the signature is over the note
 * text, the key ID {@code SHA-256(name || 0x0A || 0x01 || publicKey)[:4]}. Keys are the raw 32-byte
 * RFC 8032 private key (seed); {@link #fromSignerKey} also reads the Go {@code
 * golang.org/x/mod/sumdb/note} private key string {@code PRIVATE+KEY+<name>+<hex id>+base64(0x01 ||
 * seed)}.
 */
public final class Ed25519NoteSigner {
  static final int TYPE = 0x01;

  private final String name;
  private final KeyPair keys;
  private final byte[] publicKey;
  private final int keyId;
  private final byte[] seed;

  private Ed25519NoteSigner(String name, byte[] seed) {
    Notes.checkKeyName(name);
    this.name = name;
    this.seed = seed.clone();
    this.keys = Ed25519Keys.fromSeed(seed);
    this.publicKey = Ed25519Keys.rawPublic(keys.getPublic());
    this.keyId = Notes.keyId(name, TYPE, publicKey);
  }

  /** A signer for {@code name} with the 32-byte private key {@code seed}. */
  public static Ed25519NoteSigner fromSeed(String name, byte[] seed) {
    return new Ed25519NoteSigner(name, seed);
  }

  /** A new key for {@code name}. */
  public static Ed25519NoteSigner generate(String name, SecureRandom random) {
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    return new Ed25519NoteSigner(name, seed);
  }

  /**
   * Reads {@code PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || seed)}; the key ID must match.
   *
   * @throws MalformedNoteException if it is not such a key
   */
  public static Ed25519NoteSigner fromSignerKey(String skey) {
    String prefix = "PRIVATE+KEY+";
    if (!skey.startsWith(prefix)) {
      throw new MalformedNoteException("not a signer key");
    }
    String[] parts = skey.substring(prefix.length()).split("\\+", 3);
    if (parts.length != 3) {
      throw new MalformedNoteException("not a signer key");
    }
    byte[] key = VerifierKeys.decode(parts[2]);
    if (key.length != 33 || key[0] != TYPE) {
      throw new MalformedNoteException("not an Ed25519 signer key");
    }
    Ed25519NoteSigner s = new Ed25519NoteSigner(parts[0], java.util.Arrays.copyOfRange(key, 1, 33));
    if (!VerifierKeys.hex8(s.keyId).equals(parts[1])) {
      throw new MalformedNoteException("signer key ID does not match the key");
    }
    return s;
  }

  public String name() {
    return name;
  }

  public int keyId() {
    return keyId;
  }

  /** The raw 32-byte public key. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * The signer key string {@code PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || seed)} (what {@link
   * #fromSignerKey} reads; a secret: write it to a private file only).
   */
  public String signerKey() {
    return "PRIVATE+KEY+"
        + name
        + "+"
        + VerifierKeys.hex8(keyId)
        + "+"
        + Base64.getEncoder().encodeToString(Ed25519Keys.concat(new byte[] {TYPE}, seed));
  }

  /** The verifier key string {@code <name>+<hex key ID>+base64(0x01 || publicKey)}. */
  public String verifierKey() {
    return name
        + "+"
        + VerifierKeys.hex8(keyId)
        + "+"
        + Base64.getEncoder().encodeToString(Ed25519Keys.concat(new byte[] {TYPE}, publicKey));
  }

  /** The verifier for this key. */
  public Ed25519NoteVerifier verifier() {
    return Ed25519NoteVerifier.parse(verifierKey());
  }

  /** The signature of {@code text} (a note text, ending in a newline). */
  public NoteSignature sign(String text) {
    Notes.checkText(text);
    return new NoteSignature(
        name, keyId, Ed25519Keys.sign(keys.getPrivate(), text.getBytes(StandardCharsets.UTF_8)));
  }

  /** The signed note {@code text}, blank line, this signature. */
  public byte[] signNote(String text) {
    return Notes.encode(text, List.of(sign(text)));
  }
}
