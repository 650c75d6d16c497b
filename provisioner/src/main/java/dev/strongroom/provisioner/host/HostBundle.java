package dev.strongroom.provisioner.host;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.provisioner.ProvisionerException;
import dev.strongroom.provisioner.os.SecureFiles;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The rendered host bundle: its files in a fixed order, plus {@code MANIFEST.tsv} (one line per
 * file: bundle path, host path, owner, group, mode, SHA-256 of the content; tab-separated, sorted
 * by bundle path, with a header line). {@link #writeTo(Path)} writes every file and the manifest
 * under a directory for review; files are 0644 there (the review copy holds no secret), the
 * manifest carries the host modes.
 */
public record HostBundle(HostOptions options, List<BundleFile> files) {
  public static final String MANIFEST = "MANIFEST.tsv";

  /**
   * Where an applied bundle leaves its manifest on the host: {@code <configDir>/host/MANIFEST.tsv}
   * ({@code /etc/strongroom/host/MANIFEST.tsv} by default). {@code HostPlan} writes it as its last
   * file step, so its presence means the bundle was applied; the proof's host controls look for it.
   */
  public static Path installedManifest(Path configDir) {
    return configDir.resolve("host").resolve(MANIFEST);
  }

  public HostBundle {
    files = files.stream().sorted((a, b) -> a.bundlePath().compareTo(b.bundlePath())).toList();
  }

  /** The file with this bundle path, if rendered. */
  public Optional<BundleFile> file(String bundlePath) {
    return files.stream().filter(f -> f.bundlePath().equals(bundlePath)).findFirst();
  }

  /** The file with this bundle path; {@link IllegalArgumentException} if absent. */
  public BundleFile require(String bundlePath) {
    return file(bundlePath)
        .orElseThrow(() -> new IllegalArgumentException("no bundle file " + bundlePath));
  }

  public String manifest() {
    StringBuilder sb = new StringBuilder("path\thost_path\towner\tgroup\tmode\tsha256\n");
    for (BundleFile f : files) {
      sb.append(f.bundlePath())
          .append('\t')
          .append(f.hostPath())
          .append('\t')
          .append(f.owner())
          .append('\t')
          .append(f.group())
          .append('\t')
          .append(f.mode())
          .append('\t')
          .append(sha256(f.bytes()))
          .append('\n');
    }
    return sb.toString();
  }

  /** Writes every file and {@value #MANIFEST} under {@code dir} (created if needed). */
  public void writeTo(Path dir) {
    for (BundleFile f : files) {
      Path target = dir.resolve(f.bundlePath()).normalize();
      if (!target.startsWith(dir.normalize())) {
        throw new ProvisionerException(
            ErrorCode.INTERNAL, "bundle path escapes: " + f.bundlePath());
      }
      SecureFiles.write(target, f.bytes(), PosixFilePermissions.fromString("rw-r--r--"));
    }
    SecureFiles.writeText(
        dir.resolve(MANIFEST), manifest(), PosixFilePermissions.fromString("rw-r--r--"));
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
