package dev.strongroom.audit.witness;

import dev.strongroom.audit.AuditException;
import dev.strongroom.audit.note.CosignatureV1Verifier;
import dev.strongroom.audit.note.NoteSignature;
import dev.strongroom.audit.note.Notes;
import dev.strongroom.audit.tree.NodeSource;
import dev.strongroom.audit.tree.Proofs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The log's side of c2sp.org/tlog-witness {@code add-checkpoint}: sends a signed checkpoint with a
 * consistency proof from the size the witness last cosigned, learns that size from a 409 and
 * retries once, and returns the witness's valid cosignatures (unknown keys' lines ignored), ready
 * to be added to the checkpoint note.
 */
public final class WitnessClient {
  private final HttpClient http;
  private final URI addCheckpoint;
  private final CosignatureV1Verifier witnessKey;

  /** {@code submissionPrefix} is the witness URL before {@code /add-checkpoint}. */
  public WitnessClient(URI submissionPrefix, CosignatureV1Verifier witnessKey) {
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.addCheckpoint =
        URI.create(submissionPrefix.toString().replaceAll("/$", "") + "/add-checkpoint");
    this.witnessKey = witnessKey;
  }

  /** The witness refused (any status but 200 and a resolved 409). */
  public static final class WitnessRefusedException extends AuditException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public WitnessRefusedException(int status, String body) {
      super("witness refused with " + status + ": " + body.strip(), status >= 500, null);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /**
   * Submits {@code note} (a signed checkpoint of size {@code size} of the tree {@code nodes}),
   * assuming the witness last cosigned {@code oldSize}.
   *
   * @return the witness's valid cosignatures over the checkpoint
   * @throws WitnessRefusedException the witness refused (403, 404, 422, …)
   */
  public List<NoteSignature> add(NodeSource nodes, long size, long oldSize, byte[] note) {
    Result r = post(nodes, size, oldSize, note);
    if (r.status() == 409) {
      long theirs = Long.parseLong(r.body().strip());
      r = post(nodes, size, theirs, note);
    }
    if (r.status() != 200) {
      throw new WitnessRefusedException(r.status(), r.body());
    }
    String text = Notes.parse(note).text();
    List<NoteSignature> out = new ArrayList<>();
    byte[] opened = (text + "\n" + r.body()).getBytes(StandardCharsets.UTF_8);
    for (NoteSignature s : Notes.parse(opened).signatures()) {
      if (s.name().equals(witnessKey.name()) && s.keyId() == witnessKey.keyId()) {
        if (!witnessKey.verify(text, s)) {
          throw new WitnessRefusedException(200, "an invalid cosignature");
        }
        out.add(s);
      }
    }
    if (out.isEmpty()) {
      throw new WitnessRefusedException(200, "no cosignature of the configured witness key");
    }
    return out;
  }

  private record Result(int status, String body) {}

  private Result post(NodeSource nodes, long size, long oldSize, byte[] note) {
    StringBuilder b = new StringBuilder("old ").append(oldSize).append('\n');
    if (oldSize > 0 && oldSize < size) {
      for (byte[] h : Proofs.consistencyProof(nodes, oldSize, size)) {
        b.append(Base64.getEncoder().encodeToString(h)).append('\n');
      }
    }
    b.append('\n');
    byte[] head = b.toString().getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[head.length + note.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(note, 0, body, head.length, note.length);
    try {
      HttpResponse<String> resp =
          http.send(
              HttpRequest.newBuilder(addCheckpoint)
                  .timeout(Duration.ofSeconds(10))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Result(resp.statusCode(), resp.body());
    } catch (IOException e) {
      throw new AuditException("witness " + addCheckpoint + " unreachable: " + e, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditException("interrupted", true, e);
    }
  }
}
