package dev.strongroom.audit.proof;

import dev.strongroom.audit.AuditException;
import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.CosignatureV1Verifier;
import dev.strongroom.audit.note.NoteSignature;
import dev.strongroom.audit.note.NoteVerifier;
import dev.strongroom.audit.tree.Proofs;
import dev.strongroom.audit.tree.Rfc6962;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A per-record receipt in the c2sp.org/tlog-proof@v1 text format: an offline-verifiable proof that
 * an entry is in the log, against a signed (and possibly cosigned) checkpoint.
 *
 * <pre>
 * c2sp.org/tlog-proof@v1\n
 * [extra base64(extra)\n]
 * index &lt;decimal&gt;\n
 * base64(hash)\n ...          (the inclusion proof, leaf's sibling first)
 * \n
 * &lt;the signed checkpoint note, verbatim&gt;
 * </pre>
 *
 * {@link #verify} does the spec's steps 2–4: the checkpoint signed by the log key for its origin,
 * at least {@code minCosignatures} valid cosignatures of known witnesses, and the inclusion proof
 * binding the caller's leaf hash (step 1, application-specific: for the audit log, {@code
 * Rfc6962.leafHash(ChainHash.entry(curr_hash))}) to the checkpoint's root.
 */
public record TlogProof(Optional<byte[]> extra, long index, List<byte[]> proof, byte[] note) {
  /** The first line. */
  public static final String HEADER = "c2sp.org/tlog-proof@v1";

  public TlogProof {
    if (index < 0) {
      throw new InvalidTlogProofException("negative index");
    }
    extra = extra.map(byte[]::clone);
    List<byte[]> copy = new ArrayList<>();
    for (byte[] h : proof) {
      if (h.length != Rfc6962.HASH_SIZE) {
        throw new InvalidTlogProofException("a proof hash has 32 bytes");
      }
      copy.add(h.clone());
    }
    proof = List.copyOf(copy);
    note = note.clone();
  }

  /** A receipt without extra data. */
  public static TlogProof of(long index, List<byte[]> proof, byte[] signedCheckpoint) {
    return new TlogProof(Optional.empty(), index, proof, signedCheckpoint);
  }

  @Override
  public byte[] note() {
    return note.clone();
  }

  /** The receipt text, UTF-8 (file extension {@code .tlog-proof}). */
  public byte[] encode() {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    extra.ifPresent(
        e -> b.append("extra ").append(Base64.getEncoder().encodeToString(e)).append('\n'));
    b.append("index ").append(index).append('\n');
    for (byte[] h : proof) {
      b.append(Base64.getEncoder().encodeToString(h)).append('\n');
    }
    b.append('\n');
    byte[] head = b.toString().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + note.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(note, 0, out, head.length, note.length);
    return out;
  }

  /**
   * Parses a receipt (not yet verified).
   *
   * @throws InvalidTlogProofException naming what is malformed
   */
  public static TlogProof parse(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    int blank = s.indexOf("\n\n");
    if (blank < 0) {
      throw new InvalidTlogProofException("no empty line before the checkpoint");
    }
    String[] lines = s.substring(0, blank).split("\n", -1);
    int i = 0;
    if (!lines[i++].equals(HEADER)) {
      throw new InvalidTlogProofException("first line is not " + HEADER);
    }
    Optional<byte[]> extra = Optional.empty();
    if (i < lines.length && lines[i].startsWith("extra ")) {
      extra = Optional.of(b64(lines[i++].substring(6), "extra"));
    }
    if (i >= lines.length || !lines[i].matches("index (0|[1-9][0-9]{0,18})")) {
      throw new InvalidTlogProofException("no valid index line");
    }
    long index;
    try {
      index = Long.parseLong(lines[i++].substring(6));
    } catch (NumberFormatException e) {
      throw new InvalidTlogProofException("index out of range");
    }
    List<byte[]> proof = new ArrayList<>();
    for (; i < lines.length; i++) {
      byte[] h = b64(lines[i], "proof hash");
      if (h.length != Rfc6962.HASH_SIZE) {
        throw new InvalidTlogProofException("proof line " + (proof.size() + 1) + " is not a hash");
      }
      proof.add(h);
    }
    byte[] note = s.substring(blank + 2).getBytes(StandardCharsets.UTF_8);
    return new TlogProof(extra, index, proof, note);
  }

  /** What {@link #verify} established. */
  public record Verified(Checkpoint checkpoint, List<NoteSignature> cosignatures) {}

  /**
   * Verifies the receipt for an entry whose leaf hash the caller computed.
   *
   * @param leafHash {@code Rfc6962.leafHash(entry)}
   * @param logKey the log's key; its name must be the checkpoint's origin
   * @param witnesses known witness keys
   * @param minCosignatures how many of them must have cosigned (0: none required)
   * @throws AuditException (a subclass naming the failure) if anything does not verify
   */
  public Verified verify(
      byte[] leafHash,
      NoteVerifier logKey,
      List<CosignatureV1Verifier> witnesses,
      int minCosignatures) {
    Checkpoint.Signed signed = Checkpoint.open(note, logKey, witnesses);
    List<NoteSignature> cosigs = new ArrayList<>();
    for (NoteSignature s : signed.note().verified()) {
      if (!(s.name().equals(logKey.name()) && s.keyId() == logKey.keyId())) {
        cosigs.add(s);
      }
    }
    if (cosigs.size() < minCosignatures) {
      throw new InvalidTlogProofException(
          "checkpoint has "
              + cosigs.size()
              + " valid cosignature(s) of known witnesses, "
              + minCosignatures
              + " required");
    }
    Checkpoint c = signed.checkpoint();
    Proofs.verifyInclusion(index, c.size(), leafHash, proof, c.root());
    return new Verified(c, cosigs);
  }

  private static byte[] b64(String s, String what) {
    try {
      byte[] b = Base64.getDecoder().decode(s);
      if (!Base64.getEncoder().encodeToString(b).equals(s)) {
        throw new InvalidTlogProofException(what + " is not canonical base64");
      }
      return b;
    } catch (IllegalArgumentException e) {
      throw new InvalidTlogProofException(what + " is not base64");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlogProof p && java.util.Arrays.equals(p.encode(), encode());
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "TlogProof[index " + index + ", " + proof.size() + " hashes]";
  }
}
