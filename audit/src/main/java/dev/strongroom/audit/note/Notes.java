package dev.strongroom.audit.note;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * C2SP signed-note (c2sp.org/signed-note) text form: a text ending in a newline, a blank line, then
 * one or more signature lines {@code — <name> base64(keyId || signature)}. UTF-8, no control
 * character but newline. {@link #parse} splits a note, {@link #open} verifies it against trusted
 * keys as the spec requires.
 */
public final class Notes {
  /** Verifiers accept at least 16 signatures (the spec's floor); we cap at 100. */
  public static final int MAX_SIGNATURES = 100;

  /** A cap on a whole note's size, in bytes. */
  public static final int MAX_NOTE_BYTES = 1 << 20;

  private static final String DASH = "\u2014 ";

  private Notes() {}

  /** A parsed note: its text (with the final newline) and its signature lines, in order. */
  public record Parsed(String text, List<NoteSignature> signatures) {
    public Parsed {
      signatures = List.copyOf(signatures);
    }

    /** The note as bytes: text, blank line, signature lines. */
    public byte[] encode() {
      return Notes.encode(text, signatures);
    }
  }

  /**
   * The result of {@link #open}: the text, and which signatures verified and which were unknown.
   */
  public record Opened(String text, List<NoteSignature> verified, List<NoteSignature> unverified) {
    public Opened {
      verified = List.copyOf(verified);
      unverified = List.copyOf(unverified);
    }
  }

  /** {@code text "\n" lines…} as UTF-8; the text must be a valid note text. */
  public static byte[] encode(String text, List<NoteSignature> signatures) {
    checkText(text);
    if (signatures.isEmpty()) {
      throw new MalformedNoteException("a signed note has at least one signature");
    }
    StringBuilder b = new StringBuilder(text).append('\n');
    signatures.forEach(s -> b.append(s.line()));
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Splits a signed note.
   *
   * @throws MalformedNoteException naming what is wrong
   */
  public static Parsed parse(byte[] note) {
    if (note.length > MAX_NOTE_BYTES) {
      throw new MalformedNoteException("note too large: " + note.length + " bytes");
    }
    String s;
    try {
      s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
              .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(note))
              .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new MalformedNoteException("note is not valid UTF-8");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 && c != '\n') {
        throw new MalformedNoteException("note holds a control character at " + i);
      }
    }
    if (!s.endsWith("\n")) {
      throw new MalformedNoteException("note does not end in a newline");
    }
    int split = s.lastIndexOf("\n\n");
    if (split < 0) {
      throw new MalformedNoteException("note has no blank line before its signatures");
    }
    String text = s.substring(0, split + 1);
    String sigs = s.substring(split + 2);
    List<NoteSignature> out = new ArrayList<>();
    for (String line : sigs.split("\n", -1)) {
      if (line.isEmpty()) {
        continue; // only the final one: the split leaves one trailing empty string
      }
      if (out.size() == MAX_SIGNATURES) {
        throw new MalformedNoteException("more than " + MAX_SIGNATURES + " signatures");
      }
      out.add(parseLine(line));
    }
    if (out.isEmpty()) {
      throw new MalformedNoteException("note has no signature lines");
    }
    checkText(text);
    return new Parsed(text, out);
  }

  private static NoteSignature parseLine(String line) {
    if (!line.startsWith(DASH)) {
      throw new MalformedNoteException("not a signature line: " + line);
    }
    String rest = line.substring(DASH.length());
    int sp = rest.indexOf(' ');
    if (sp <= 0 || rest.indexOf(' ', sp + 1) >= 0) {
      throw new MalformedNoteException("not a signature line: " + line);
    }
    String name = rest.substring(0, sp);
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(rest.substring(sp + 1));
    } catch (IllegalArgumentException e) {
      throw new MalformedNoteException("signature of " + name + " is not base64");
    }
    if (raw.length < 5) {
      throw new MalformedNoteException("signature of " + name + " is too short");
    }
    int keyId = java.nio.ByteBuffer.wrap(raw, 0, 4).getInt();
    return new NoteSignature(name, keyId, java.util.Arrays.copyOfRange(raw, 4, raw.length));
  }

  /**
   * Verifies a note against trusted keys (C2SP signed-note): signatures whose (name, key ID) match
   * no known key are ignored (returned as unverified); a known key's signature must verify; at
   * least one must.
   *
   * @throws MalformedNoteException the bytes are not a signed note
   * @throws NoteVerificationException a known key's signature failed, or none verified
   */
  public static Opened open(byte[] note, List<? extends NoteVerifier> known) {
    Parsed p = parse(note);
    List<NoteSignature> ok = new ArrayList<>();
    List<NoteSignature> unknown = new ArrayList<>();
    for (NoteSignature sig : p.signatures()) {
      NoteVerifier v = null;
      for (NoteVerifier k : known) {
        if (k.name().equals(sig.name()) && k.keyId() == sig.keyId()) {
          v = k;
          break;
        }
      }
      if (v == null) {
        unknown.add(sig);
      } else if (v.verify(p.text(), sig)) {
        ok.add(sig);
      } else {
        throw new NoteVerificationException(
            "invalid signature by " + sig.name() + "+" + String.format("%08x", sig.keyId()));
      }
    }
    if (ok.isEmpty()) {
      throw new NoteVerificationException("note has no verifiable signatures");
    }
    return new Opened(p.text(), ok, unknown);
  }

  /** {@code SHA-256(name || 0x0A || type || publicKey)[:4]} as a big-endian int. */
  public static int keyId(String name, int type, byte[] publicKey) {
    checkKeyName(name);
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(name.getBytes(StandardCharsets.UTF_8));
      md.update((byte) '\n');
      md.update((byte) type);
      byte[] h = md.digest(publicKey);
      return java.nio.ByteBuffer.wrap(h, 0, 4).getInt();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Key names are non-empty, with no Unicode space and no {@code +}. */
  static void checkKeyName(String name) {
    if (name == null || name.isEmpty()) {
      throw new MalformedNoteException("empty key name");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '+' || Character.isWhitespace(c) || Character.isSpaceChar(c) || c < 0x20) {
        throw new MalformedNoteException("key name holds a space, a control or '+': " + name);
      }
    }
  }

  /** A note text: ends in a newline, no control character but newline. */
  static void checkText(String text) {
    if (text.isEmpty() || !text.endsWith("\n")) {
      throw new MalformedNoteException("note text must end in a newline");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 && c != '\n') {
        throw new MalformedNoteException("note text holds a control character at " + i);
      }
    }
  }
}
