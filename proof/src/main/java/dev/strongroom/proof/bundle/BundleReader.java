package dev.strongroom.proof.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a bundle's tar.gz into memory (path → bytes), refusing what a bundle never holds: an entry
 * that is not a regular file or directory, a path with {@code ..}, an absolute path, a duplicate
 * entry, or more than {@link #MAX_BYTES} of content. Nothing is written to disk.
 */
public final class BundleReader {
  /** Upper bound of a bundle's unpacked size. */
  public static final long MAX_BYTES = 256L * 1024 * 1024;

  private BundleReader() {}

  public static Map<String, byte[]> read(Path tarGz) {
    try (InputStream raw = Files.newInputStream(tarGz)) {
      return read(raw);
    } catch (IOException e) {
      throw new BundleException("cannot read " + tarGz + ": " + e.getMessage(), e);
    }
  }

  public static Map<String, byte[]> read(InputStream raw) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    long total = 0;
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(raw))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String name = e.getName();
        if (e.isDirectory()) {
          continue;
        }
        if (!e.isFile()) {
          throw new BundleException("bundle entry is not a regular file: " + name);
        }
        String path = name.startsWith("./") ? name.substring(2) : name;
        Manifest.requireSafe(path);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = tar.read(buf)) > 0) {
          total += n;
          if (total > MAX_BYTES) {
            throw new BundleException("bundle is larger than " + MAX_BYTES + " bytes unpacked");
          }
          content.write(buf, 0, n);
        }
        if (files.put(path, content.toByteArray()) != null) {
          throw new BundleException("bundle holds " + path + " twice");
        }
      }
    }
    return files;
  }
}
