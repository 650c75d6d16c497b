package dev.strongroom.proof.host;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.provisioner.os.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Third-party host scanners' reports, kept verbatim in the bundle as raw evidence (issue 14, step
 * 4): where lynis is installed, {@code lynis audit system} runs once and its report, log and
 * console output go under {@code scanners/lynis/} with {@code run.json} (command, version, exit
 * code, times, hardening index, warning and suggestion counts). The bundle's manifest and signature
 * cover them like every other file, binding them to the run, target and time.
 *
 * <p>Where OpenSCAP ({@code oscap}) is installed, it evaluates the SCAP Security Guide's {@code
 * standard} profile from the data stream for this host's release ({@code
 * ssg-<ID><VERSION_ID>-ds.xml} of {@code /etc/os-release}, Debian's {@code ssg-debian} package) and
 * its ARF results, HTML report and console output go under {@code scanners/openscap/} with {@code
 * run.json} (version, content file and its SHA-256, profile, exit code, rule results by kind).
 * Where no data stream for this release is installed (Debian 12's {@code ssg-debian} 0.1.65 has
 * Debian 10 and 11 only) {@code run.json} alone says so and lists what is there: content for
 * another release would only mark every rule not applicable.
 *
 * <p>No claim is made from them: they add no control and change no status (the catalogue's own
 * checks are the verdict); an absent scanner adds nothing.
 */
public final class ScannerReports {
  /** Which scanners a run asks for. */
  public enum Mode {
    /** Every installed scanner, on a host the provisioner hardened; nothing elsewhere. */
    AUTO,
    /** lynis, wherever it is installed (refused when it is not). */
    LYNIS,
    /** OpenSCAP, wherever it and content for this release are installed (refused otherwise). */
    OPENSCAP,
    /** None. */
    NONE;

    /** {@code auto}, {@code lynis} or {@code none}. */
    public static Mode parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "auto" -> AUTO;
        case "lynis" -> LYNIS;
        case "openscap" -> OPENSCAP;
        case "none" -> NONE;
        default ->
            throw new IllegalArgumentException(
                "unknown scanner mode '" + s + "' (auto, lynis, openscap or none)");
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

  /** The host's release as {@code /etc/os-release} names it ({@code ID}, {@code VERSION_ID}). */
  public record Release(String id, String versionId) {
    /** Reads {@code ID} and {@code VERSION_ID} (quotes removed); unknown ones are empty. */
    public static Release read(Path osRelease) {
      String text;
      try {
        text = Files.readString(osRelease, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return new Release("", "");
      }
      return new Release(osReleaseValue(text, "ID"), osReleaseValue(text, "VERSION_ID"));
    }

    /**
     * The SCAP Security Guide's data stream names this release may have, in order: the version
     * without its dots ({@code ssg-ubuntu2204-ds.xml}, {@code ssg-debian12-ds.xml}), then its major
     * version ({@code ssg-rhel9-ds.xml} for 9.4).
     */
    List<String> dataStreams() {
      String whole = "ssg-" + id + versionId.replace(".", "") + "-ds.xml";
      String major = "ssg-" + id + versionId.replaceFirst("\\..*$", "") + "-ds.xml";
      return whole.equals(major) ? List.of(whole) : List.of(whole, major);
    }
  }

  /** Where Debian's package puts lynis. */
  public static final Path LYNIS = Path.of("/usr/sbin/lynis");

  /** Where Debian's {@code openscap-scanner} puts {@code oscap}. */
  public static final Path OSCAP = Path.of("/usr/bin/oscap");

  /** Where Debian's {@code ssg-*} packages put the SCAP Security Guide's data streams. */
  public static final Path SCAP_CONTENT = Path.of("/usr/share/xml/scap/ssg/content");

  /** The SCAP Security Guide profile evaluated: the general-purpose baseline of every release. */
  public static final String OPENSCAP_PROFILE = "xccdf_org.ssgproject.content_profile_standard";

  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  /** One rule's result on oscap's console: {@code Result\r\tpass}. */
  private static final Pattern RESULT_LINE = Pattern.compile("(?m)^Result\\r?\\t(\\S+)");

  private final Path lynis;
  private final Path oscap;
  private final Path scapContent;
  private final Release release;
  private final Clock clock;

  public ScannerReports(Path lynis, Path oscap, Path scapContent, Release release, Clock clock) {
    this.lynis = lynis;
    this.oscap = oscap;
    this.scapContent = scapContent;
    this.release = release;
    this.clock = clock;
  }

  /** Debian's lynis and OpenSCAP, this host's release, the system clock. */
  public static ScannerReports standard() {
    return new ScannerReports(
        LYNIS, OSCAP, SCAP_CONTENT, Release.read(Path.of("/etc/os-release")), Clock.systemUTC());
  }

  /** Whether lynis is installed (an executable at its path). */
  public boolean lynisInstalled() {
    return Files.isExecutable(lynis);
  }

  /** Whether OpenSCAP's {@code oscap} is installed (an executable at its path). */
  public boolean openscapInstalled() {
    return Files.isExecutable(oscap);
  }

  /** The data stream for this host's release, if installed. */
  private Optional<Path> dataStream() {
    return release.dataStreams().stream()
        .map(scapContent::resolve)
        .filter(Files::isRegularFile)
        .findFirst();
  }

  /**
   * Why {@code mode} cannot run on this host: a scanner it asks for explicitly is not installed, or
   * OpenSCAP has no content for this release. Empty when it can ({@code auto} and {@code none}
   * always can: they run what is there).
   */
  public Optional<String> whyUnavailable(Mode mode) {
    if (mode == Mode.LYNIS && !lynisInstalled()) {
      return Optional.of(
          "lynis was asked for and is not installed at " + lynis + " (apt-get install lynis)");
    }
    if (mode == Mode.OPENSCAP) {
      if (!openscapInstalled()) {
        return Optional.of(
            "openscap was asked for and is not installed at "
                + oscap
                + " (apt-get install openscap-scanner ssg-debian)");
      }
      if (dataStream().isEmpty()) {
        return Optional.of("openscap was asked for and " + noContent());
      }
    }
    return Optional.empty();
  }

  private String noContent() {
    List<String> there;
    try (Stream<Path> files = Files.list(scapContent)) {
      there =
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.endsWith("-ds.xml"))
              .sorted()
              .toList();
    } catch (IOException e) {
      there = List.of();
    }
    return "there is no SCAP content for "
        + (release.id() + " " + release.versionId()).strip()
        + " ("
        + String.join(
            " and ",
            release.dataStreams().stream().map(n -> scapContent.resolve(n).toString()).toList())
        + (release.dataStreams().size() > 1 ? " are" : " is")
        + " missing; "
        + (there.isEmpty() ? "no data streams there" : "there: " + String.join(", ", there))
        + ")";
  }

  /**
   * The bundle files of the scanners {@code mode} asks for on this host.
   *
   * @param hardenedHost whether the provisioner hardened this host ({@code HostFacts})
   * @param scratch a private directory for the scanner's output files
   * @throws ScannerUnavailable if lynis is asked for explicitly and not installed
   */
  public Map<String, byte[]> collect(Mode mode, boolean hardenedHost, Path scratch) {
    Optional<String> unavailable = whyUnavailable(mode);
    if (unavailable.isPresent()) {
      throw new ScannerUnavailable(unavailable.get());
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    boolean auto = mode == Mode.AUTO && hardenedHost;
    if (mode == Mode.LYNIS || auto && lynisInstalled()) {
      files.putAll(lynis(scratch));
    }
    if (mode == Mode.OPENSCAP || auto && openscapInstalled()) {
      files.putAll(openscap(scratch));
    }
    return files;
  }

  private Map<String, byte[]> openscap(Path scratch) {
    try {
      ObjectNode run = CanonicalJson.mapper().createObjectNode();
      run.put("tool", "openscap");
      Processes.Result v = Processes.run(List.of(oscap.toString(), "--version"), null, TIMEOUT);
      run.put("version", oscapVersion(v.stdout()).orElse("unknown"));
      run.put("release", (release.id() + " " + release.versionId()).strip());
      run.put(
          "claim",
          "none: raw evidence only; the catalogue's controls are the verdict (docs/proof.md)");
      Map<String, byte[]> files = new LinkedHashMap<>();
      Optional<Path> content = dataStream();
      if (content.isEmpty()) {
        run.put("ran", false);
        run.put("reason", noContent());
        files.put("scanners/openscap/run.json", CanonicalJson.canonicalize(run));
        return files;
      }
      Path dir = Files.createTempDirectory(scratch, "openscap-");
      Path arf = dir.resolve("results-arf.xml");
      Path html = dir.resolve("report.html");
      List<String> command =
          List.of(
              oscap.toString(),
              "xccdf",
              "eval",
              "--profile",
              OPENSCAP_PROFILE,
              "--results-arf",
              arf.toString(),
              "--report",
              html.toString(),
              content.get().toString());
      Instant started = clock.instant();
      Processes.Result r = Processes.run(command, null, TIMEOUT);
      Instant finished = clock.instant();
      if (Files.isRegularFile(arf)) {
        files.put("scanners/openscap/results-arf.xml", Files.readAllBytes(arf));
      }
      if (Files.isRegularFile(html)) {
        files.put("scanners/openscap/report.html", Files.readAllBytes(html));
      }
      files.put("scanners/openscap/stdout.txt", r.stdout().getBytes(StandardCharsets.UTF_8));
      files.put("scanners/openscap/stderr.txt", r.stderr().getBytes(StandardCharsets.UTF_8));
      run.put("ran", true);
      run.put("content", content.get().getFileName().toString());
      run.put("contentSha256", sha256Hex(Files.readAllBytes(content.get())));
      run.put("profile", OPENSCAP_PROFILE);
      run.putArray("command").addAll(command.stream().map(run::textNode).toList());
      // oscap: 0 every rule passed, 2 at least one failed, 1 the evaluation itself failed
      run.put("exitCode", r.exitCode());
      run.put("timedOut", r.timedOut());
      run.put("started", started.toString());
      run.put("finished", finished.toString());
      ObjectNode results = run.putObject("results");
      openscapResults(r.stdout()).forEach(results::put);
      files.put("scanners/openscap/run.json", CanonicalJson.canonicalize(run));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep OpenSCAP's report", e);
    }
  }

  /** {@code oscap --version}'s first line: {@code OpenSCAP command line tool (oscap) 1.3.7}. */
  static Optional<String> oscapVersion(String versionOutput) {
    String first = versionOutput.lines().findFirst().orElse("");
    int at = first.lastIndexOf(' ');
    return at < 0 || at == first.length() - 1
        ? Optional.empty()
        : Optional.of(first.substring(at + 1).strip());
  }

  /**
   * Rule results by kind from {@code oscap xccdf eval}'s console: one {@code Result\r\t<kind>} line
   * per rule (the carriage return overwrites its progress display on a terminal).
   */
  static Map<String, Long> openscapResults(String stdout) {
    Map<String, Long> out = new TreeMap<>();
    Matcher m = RESULT_LINE.matcher(stdout);
    while (m.find()) {
      out.merge(m.group(1), 1L, Long::sum);
    }
    return out;
  }

  private static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String osReleaseValue(String text, String key) {
    for (String line : text.split("\n")) {
      if (line.startsWith(key + "=")) {
        return line.substring(key.length() + 1).strip().replaceAll("^\"|\"$", "");
      }
    }
    return "";
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
