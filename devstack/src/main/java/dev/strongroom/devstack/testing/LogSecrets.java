package dev.strongroom.devstack.testing;

import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.token.TenantTokenKeys;
import dev.strongroom.devstack.keys.DevKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What must never be in a service log (issue 11): a line that is not one JSON object (every service
 * logs JSON, {@link JsonLog}; anything else could be a forged line), a tenant token (any {@code
 * <claims>.<mac>} whose claims are base64url JSON), key material of the stack (a tenant-token key,
 * a line of any private key file: {@link #secretFiles}) or a plaintext the test put through the
 * service. Secrets are looked for both in each line as written and in every string of its record as
 * a JSON reader decodes it, so a JSON escape hides nothing. Tests call {@link #find} on the log
 * after their attacks and expect nothing.
 */
public final class LogSecrets {
  private static final Pattern TOKEN = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{43}");

  private LogSecrets() {}

  /** What of the above {@code log} holds, named without repeating it; empty if nothing. */
  public static List<String> find(Path log, DevKeys keys, Collection<String> plaintexts)
      throws IOException {
    return find(log, keys.tenantTokenKeyFile().getParent(), plaintexts);
  }

  /**
   * As {@link #find(Path, DevKeys, Collection)} for the stack whose keys are in {@code dir} (a
   * state directory's {@code keys/}, the PKI beside it).
   */
  public static List<String> find(Path log, Path dir, Collection<String> plaintexts)
      throws IOException {
    List<JsonLog.Line> lines = JsonLog.lines(log);
    Set<String> found = new LinkedHashSet<>(JsonLog.malformed(lines));
    List<String> secrets = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (TenantTokenKeys.Key k :
        TenantTokenKeys.parse(
                Files.readString(dir.resolve(DevKeys.TENANT_TOKEN_KEY), StandardCharsets.UTF_8))
            .keys()) {
      secrets.add(Base64Url.encode(k.secret()));
      names.add("tenant-token key " + k.kid());
    }
    for (Path file : secretFiles(dir)) {
      for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
        String l = line.trim();
        if (l.length() >= 16 && !l.startsWith("-----")) {
          secrets.add(l);
          names.add("a line of " + dir.getParent().relativize(file));
        }
      }
    }
    for (String p : plaintexts) {
      secrets.add(p);
      names.add("plaintext " + p);
    }
    for (JsonLog.Line l : lines) {
      // the line as written and, for a record, every string in it as a JSON reader decodes it
      List<String> views = new ArrayList<>(List.of(l.text()));
      l.json().ifPresent(j -> views.addAll(JsonLog.strings(j)));
      for (String v : views) {
        if (TOKEN.matcher(v).find()) {
          found.add("a tenant token on line " + l.number());
        }
        for (int i = 0; i < secrets.size(); i++) {
          if (v.contains(secrets.get(i))) {
            found.add(names.get(i) + " on line " + l.number());
          }
        }
      }
    }
    return new ArrayList<>(found);
  }

  /**
   * Every private key file of the stack whose keys are in {@code keyDir}: in {@code keyDir} the
   * event-signing keys ({@code *.key.pem}), the tenant-token, audit-log and sealing keys ({@code
   * *.key}), the seeds ({@code *.seed}: recovery, witness) and the development KEK keyring; beside
   * it the PKI's private keys and PKCS#12 passwords ({@code pki/}) and the provisioner's SSH key
   * ({@code provisioner/ssh/id_*} but the {@code .pub}).
   */
  static List<Path> secretFiles(Path keyDir) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path root :
        List.of(
            keyDir,
            keyDir.resolveSibling("pki"),
            keyDir.resolveSibling("provisioner").resolve("ssh"))) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (var walk = Files.walk(root)) {
        walk.filter(Files::isRegularFile)
            .filter(f -> isSecret(f.getFileName().toString()))
            .sorted()
            .forEach(files::add);
      }
    }
    return files;
  }

  private static boolean isSecret(String name) {
    return name.endsWith(".key")
        || name.endsWith(".key.pem")
        || name.endsWith(".seed")
        || name.endsWith(".keyring")
        || name.endsWith(".password")
        || (name.startsWith("id_") && !name.endsWith(".pub"));
  }
}
