package dev.strongroom.proof.bundle;

import dev.strongroom.contracts.keys.Ed25519Keys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Verifies a bundle offline against a pinned Ed25519 public key: the signature over {@code
 * MANIFEST}, then every file against the manifest. Each problem names its file: an edited file
 * (digest differs), an added file (not in the manifest), a missing file (in the manifest, not in
 * the bundle), a manifest whose signature does not verify.
 */
public final class BundleVerifier {
  /** What is wrong with one file. */
  public enum Kind {
    /** The manifest or its signature is absent. */
    MISSING_SIGNATURE,
    /** The signature over the manifest does not verify under the trusted key. */
    SIGNATURE_INVALID,
    /** The file's SHA-256 differs from the manifest's. */
    EDITED,
    /** The file is in the bundle but not in the manifest. */
    ADDED,
    /** The file is in the manifest but not in the bundle. */
    MISSING,
    /** The archive itself cannot be read as a bundle. */
    UNREADABLE
  }

  /** One problem, naming its file. */
  public record Problem(Kind kind, String path, String detail) {
    @Override
    public String toString() {
      return kind + " " + path + ": " + detail;
    }
  }

  /** The verdict: valid only without problems. */
  public record Verification(List<Problem> problems, Map<String, byte[]> files) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  private BundleVerifier() {}

  public static Verification verify(Path tarGz, byte[] trustedPublicKey) {
    Map<String, byte[]> files;
    try {
      files = BundleReader.read(tarGz);
    } catch (BundleException e) {
      return new Verification(
          List.of(new Problem(Kind.UNREADABLE, tarGz.toString(), e.getMessage())), Map.of());
    }
    return verify(files, trustedPublicKey);
  }

  public static Verification verify(Map<String, byte[]> files, byte[] trustedPublicKey) {
    List<Problem> problems = new ArrayList<>();
    byte[] manifestBytes = files.get(Manifest.FILE);
    byte[] sig = files.get(Manifest.SIGNATURE_FILE);
    if (manifestBytes == null) {
      problems.add(
          new Problem(Kind.MISSING_SIGNATURE, Manifest.FILE, "the bundle has no manifest"));
      return new Verification(problems, files);
    }
    if (sig == null) {
      problems.add(
          new Problem(
              Kind.MISSING_SIGNATURE, Manifest.SIGNATURE_FILE, "the bundle has no signature"));
    } else if (!Ed25519Keys.verify(trustedPublicKey, manifestBytes, sig)) {
      problems.add(
          new Problem(
              Kind.SIGNATURE_INVALID,
              Manifest.FILE,
              "the signature does not verify under the trusted key "
                  + Ed25519Keys.kid(trustedPublicKey)
                  + " (the manifest was edited or another key signed it)"));
    }
    Manifest manifest;
    try {
      manifest = Manifest.parse(manifestBytes);
    } catch (BundleException e) {
      problems.add(new Problem(Kind.EDITED, Manifest.FILE, e.getMessage()));
      return new Verification(problems, files);
    }
    Set<String> present = new TreeSet<>(files.keySet());
    present.remove(Manifest.FILE);
    present.remove(Manifest.SIGNATURE_FILE);
    for (Map.Entry<String, String> e : manifest.digests().entrySet()) {
      byte[] content = files.get(e.getKey());
      if (content == null) {
        problems.add(new Problem(Kind.MISSING, e.getKey(), "listed in the manifest, not present"));
      } else if (!Manifest.sha256Hex(content).equals(e.getValue())) {
        problems.add(
            new Problem(
                Kind.EDITED,
                e.getKey(),
                "sha256 " + Manifest.sha256Hex(content) + ", manifest says " + e.getValue()));
      }
      present.remove(e.getKey());
    }
    for (String extra : present) {
      problems.add(new Problem(Kind.ADDED, extra, "present, not listed in the manifest"));
    }
    return new Verification(problems, files);
  }
}
