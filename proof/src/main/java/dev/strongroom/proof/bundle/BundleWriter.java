package dev.strongroom.proof.bundle;

import dev.strongroom.contracts.keys.SigningKey;
import dev.strongroom.proof.run.ProofReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a signed bundle: the report's files, {@code MANIFEST} over them, {@code MANIFEST.sig} =
 * Ed25519(proof-service key, MANIFEST bytes), as one deterministic tar.gz (entries sorted, regular
 * files only, mode 0644, owner 0/0, every mtime = the run's end).
 */
public final class BundleWriter {
  /** What was written. {@code manifestSha256} (hex) identifies the bundle in events and drift. */
  public record Written(Path path, String manifestSha256, String runId) {}

  private BundleWriter() {}

  public static Written write(
      ProofReport report, SigningKey key, Path target, Map<String, byte[]> extraFiles) {
    Map<String, byte[]> files =
        new TreeMap<>(BundleFiles.render(report, key.publicKey(), key.kid(), extraFiles));
    Manifest manifest = Manifest.of(files);
    byte[] manifestBytes = manifest.toBytes();
    files.put(Manifest.FILE, manifestBytes);
    files.put(Manifest.SIGNATURE_FILE, key.sign(manifestBytes));
    byte[] tgz = tarGz(files, report.finished());
    try {
      Path parent = target.toAbsolutePath().getParent();
      // a directory it creates is the owner's alone; the bundle itself is 0600 (createTempFile)
      Files.createDirectories(
          parent,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path tmp = Files.createTempFile(parent, ".bundle-", ".tmp");
      Files.write(tmp, tgz);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new BundleException("cannot write " + target, e);
    }
    return new Written(target, Manifest.sha256Hex(manifestBytes), report.runId());
  }

  static byte[] tarGz(Map<String, byte[]> files, Instant mtime) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(bytes);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
        TarArchiveEntry e = new TarArchiveEntry(f.getKey(), true);
        e.setSize(f.getValue().length);
        e.setMode(0100644);
        e.setModTime(mtime.toEpochMilli());
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("root");
        e.setGroupName("root");
        tar.putArchiveEntry(e);
        tar.write(f.getValue());
        tar.closeArchiveEntry();
      }
      tar.finish();
    } catch (IOException e) {
      throw new BundleException("cannot build the tar.gz", e);
    }
    return bytes.toByteArray();
  }
}
