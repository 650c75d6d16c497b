package dev.strongroom.proof.host;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.provisioner.os.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Third-party host scanners' reports, kept verbatim in the bundle as raw evidence (issue 14, step
 * 4): where lynis is installed, {@code lynis audit system} runs once and its report, log and
 * console output go under {@code scanners/lynis/} with {@code run.json} (command, version, exit
 * code, times, hardening index, warning and suggestion counts). The bundle's manifest and signature
 * cover them like every other file, binding them to the run, target and time.
 *
 * <p>No claim is made from them: they add no control and change no status (the catalogue's own
 * checks are the verdict); an absent scanner adds nothing. OpenSCAP is not wired: Debian 12's
 * {@code ssg-debian} holds SCAP content for Debian 10 and 11 only (docs/proof.md).
 */
public final class ScannerReports {
  /** Which scanners a run asks for. */
  public enum Mode {
    /** Every installed scanner, on a host the provisioner hardened; nothing elsewhere. */
    AUTO,
    /** lynis, wherever it is installed (refused when it is not). */
    LYNIS,
    /** None. */
    NONE;

    /** {@code auto}, {@code lynis} or {@code none}. */
    public static Mode parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "auto" -> AUTO;
        case "lynis" -> LYNIS;
        case "none" -> NONE;
        default ->
            throw new IllegalArgumentException(
                "unknown scanner mode '" + s + "' (auto, lynis or none)");
      };
    }
  }

  /** A scanner asked for explicitly that cannot run here. */
  public static final class ScannerUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ScannerUnavailable(String message) {
      super(message);
    }
  }

  /** Where Debian's package puts lynis. */
  public static final Path LYNIS = Path.of("/usr/sbin/lynis");

  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  private final Path lynis;
  private final Clock clock;

  public ScannerReports(Path lynis, Clock clock) {
    this.lynis = lynis;
    this.clock = clock;
  }

  /** Debian's lynis, the system clock. */
  public static ScannerReports standard() {
    return new ScannerReports(LYNIS, Clock.systemUTC());
  }

  /** Whether lynis is installed (an executable at its path). */
  public boolean lynisInstalled() {
    return Files.isExecutable(lynis);
  }

  /**
   * The bundle files of the scanners {@code mode} asks for on this host.
   *
   * @param hardenedHost whether the provisioner hardened this host ({@code HostFacts})
   * @param scratch a private directory for the scanner's output files
   * @throws ScannerUnavailable if lynis is asked for explicitly and not installed
   */
  public Map<String, byte[]> collect(Mode mode, boolean hardenedHost, Path scratch) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    boolean runLynis =
        switch (mode) {
          case NONE -> false;
          case AUTO -> hardenedHost && lynisInstalled();
          case LYNIS -> {
            if (!lynisInstalled()) {
              throw new ScannerUnavailable(
                  "lynis was asked for and is not installed at "
                      + lynis
                      + " (apt-get install lynis)");
            }
            yield true;
          }
        };
    if (runLynis) {
      files.putAll(lynis(scratch));
    }
    return files;
  }

  private Map<String, byte[]> lynis(Path scratch) {
    try {
      Path dir = Files.createTempDirectory(scratch, "lynis-");
      Path report = dir.resolve("report.dat");
      Path log = dir.resolve("lynis.log");
      List<String> command =
          List.of(
              lynis.toString(),
              "audit",
              "system",
              "--quick",
              "--no-colors",
              "--report-file",
              report.toString(),
              "--log-file",
              log.toString());
      Instant started = clock.instant();
      Processes.Result r = Processes.run(command, null, TIMEOUT);
      Instant finished = clock.instant();
      Map<String, byte[]> files = new LinkedHashMap<>();
      byte[] reportBytes = Files.isRegularFile(report) ? Files.readAllBytes(report) : new byte[0];
      files.put("scanners/lynis/report.dat", reportBytes);
      if (Files.isRegularFile(log)) {
        files.put("scanners/lynis/lynis.log", Files.readAllBytes(log));
      }
      files.put("scanners/lynis/stdout.txt", r.stdout().getBytes(StandardCharsets.UTF_8));
      files.put("scanners/lynis/stderr.txt", r.stderr().getBytes(StandardCharsets.UTF_8));
      String reportText = new String(reportBytes, StandardCharsets.UTF_8);
      ObjectNode run = CanonicalJson.mapper().createObjectNode();
      run.put("tool", "lynis");
      run.put("version", value(reportText, "lynis_version").orElse("unknown"));
      run.putArray("command").addAll(command.stream().map(run::textNode).toList());
      run.put("exitCode", r.exitCode());
      run.put("timedOut", r.timedOut());
      run.put("started", started.toString());
      run.put("finished", finished.toString());
      value(reportText, "hardening_index").ifPresent(v -> run.put("hardeningIndex", v));
      run.put("warnings", count(reportText, "warning[]="));
      run.put("suggestions", count(reportText, "suggestion[]="));
      run.put(
          "claim",
          "none: raw evidence only; the catalogue's controls are the verdict (docs/proof.md)");
      files.put("scanners/lynis/run.json", CanonicalJson.canonicalize(run));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep lynis's report", e);
    }
  }

  /** The value of {@code key=} in lynis's report (one {@code key=value} per line). */
  static Optional<String> value(String report, String key) {
    for (String line : report.split("\n")) {
      if (line.startsWith(key + "=")) {
        return Optional.of(line.substring(key.length() + 1).strip());
      }
    }
    return Optional.empty();
  }

  private static long count(String report, String prefix) {
    return report.lines().filter(l -> l.startsWith(prefix)).count();
  }
}
