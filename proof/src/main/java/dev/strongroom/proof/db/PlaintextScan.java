package dev.strongroom.proof.db;

import dev.strongroom.proof.check.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * SR-DB-REST-08: stores a record whose "ciphertext" is a random marker (through the procedures, as
 * a probe tenant), makes the server write it everywhere it goes (redo at commit, binary log at
 * commit with sync_binlog=1, the table's pages by {@code FLUSH TABLES … FOR EXPORT}), then scans
 * every file under the data directory and the binary log directory for the marker's bytes, in raw,
 * lower- and upper-case hex. Any hit is a file that holds data in clear.
 */
public final class PlaintextScan {
  private PlaintextScan() {}

  static Outcome run(DbProbe p) throws IOException {
    if (p.db().dataDir().isEmpty()) {
      return Outcome.notApplicable("the target names no data directory (db.dataDir)");
    }
    if (p.context().tenantAuthority().isEmpty()) {
      return Outcome.notApplicable("the prover holds no tenant-authority key to store the marker");
    }
    Path dataDir = p.db().dataDir().get();
    if (!Files.isReadable(dataDir)) {
      return Outcome.notApplicable(
          "the data directory " + dataDir + " is not readable by the prover");
    }
    String run = HexFormat.of().formatHex(DatabaseControls.random(4));
    byte[] marker =
        ("SRPROOFMARK" + HexFormat.of().formatHex(DatabaseControls.random(12)))
            .getBytes(StandardCharsets.US_ASCII);
    String hex = HexFormat.of().formatHex(marker);
    String token =
        p.context()
            .tenantAuthority()
            .get()
            .issue(
                "sr-proof-scan-" + run,
                "sr-proof",
                Duration.ofMinutes(5),
                DatabaseControls.DB_ONLY_CNF);
    var created =
        p.run(
            "app_user",
            p.as("app_user").arg("--database=strongroom"),
            "CALL security_set_tenant('"
                + token
                + "'); CALL app_create_user_encrypted('sr-proof-scan-"
                + run
                + "', '"
                + DatabaseControls.uuidV7Like()
                + "', 'sr-proof-scan-"
                + run
                + "', X'00', 'sr-proof', '1', NULL, NULL, X'"
                + hex
                + "', X'000000000000000000000000', NULL, NULL, NULL, NULL, NULL, NULL)");
    if (created.exitCode() != 0) {
      throw new IllegalStateException(
          "cannot store the marker record: " + created.stderr().strip());
    }
    p.installerSql("FLUSH TABLES strongroom.users FOR EXPORT; UNLOCK TABLES; FLUSH BINARY LOGS");
    List<Path> roots = new ArrayList<>(List.of(dataDir));
    String binlogBase = DatabaseControls.variableValue(p, "log_bin_basename");
    if (!binlogBase.isEmpty()) {
      Path dir = Path.of(binlogBase).getParent();
      if (dir != null && !dir.startsWith(dataDir)) {
        roots.add(dir);
      }
    }
    List<byte[]> needles =
        List.of(
            marker,
            hex.getBytes(StandardCharsets.US_ASCII),
            hex.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    TreeSet<String> hits = new TreeSet<>();
    long[] scanned = {0, 0};
    for (Path root : roots) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          if (!Files.isReadable(f)) {
            continue;
          }
          scanned[0]++;
          scanned[1] += Files.size(f);
          contains(f, needles).ifPresent(n -> hits.add(f + " (" + n + ")"));
        }
      }
    }
    p.note(
        "scan " + roots + " for " + new String(marker, StandardCharsets.US_ASCII) + " (raw, hex)",
        scanned[0] + " files, " + scanned[1] + " bytes; hits: " + hits);
    return Outcome.of(
        hits.isEmpty(),
        "marker absent from " + scanned[0] + " files (" + scanned[1] + " bytes)",
        "marker found in clear: " + hits);
  }

  /** Which needle (raw, hex, HEX) occurs in {@code file}, streaming with an overlap. */
  static Optional<String> contains(Path file, List<byte[]> needles) throws IOException {
    OptionalInt i = indexIn(file, needles);
    return i.isEmpty()
        ? Optional.empty()
        : Optional.of(i.getAsInt() == 0 ? "raw" : i.getAsInt() == 1 ? "hex" : "HEX");
  }

  /** The index of the first of {@code needles} found in {@code file}, streaming with an overlap. */
  public static OptionalInt indexIn(Path file, List<byte[]> needles) throws IOException {
    int overlap = needles.stream().mapToInt(n -> n.length).max().orElse(0);
    byte[] buf = new byte[1 << 20];
    int kept = 0;
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf, kept, buf.length - kept)) > 0) {
        int len = kept + n;
        for (int i = 0; i < needles.size(); i++) {
          if (indexOf(buf, len, needles.get(i)) >= 0) {
            return OptionalInt.of(i);
          }
        }
        kept = Math.min(overlap, len);
        System.arraycopy(buf, len - kept, buf, 0, kept);
      }
    }
    return OptionalInt.empty();
  }

  private static int indexOf(byte[] hay, int len, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= len; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
