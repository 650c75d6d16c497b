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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What must never be in a service log (issue 11): a tenant token (any {@code <claims>.<mac>} whose
 * claims are base64url JSON), a key of the stack (the tenant-token keys, a line of the sealing key,
 * the recovery seed or the development KEK keyring) or a plaintext the test put through the
 * service. Tests call {@link #find} on the log after their attacks and expect nothing.
 */
public final class LogSecrets {
  private static final Pattern TOKEN = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{43}");

  private LogSecrets() {}

  /** What of the above {@code log} holds, named without repeating it; empty if nothing. */
  public static List<String> find(Path log, DevKeys keys, Collection<String> plaintexts)
      throws IOException {
    String text = Files.readString(log, StandardCharsets.UTF_8);
    List<String> found = new ArrayList<>();
    Matcher token = TOKEN.matcher(text);
    while (token.find()) {
      found.add("a tenant token at offset " + token.start());
    }
    for (TenantTokenKeys.Key k : keys.tenantTokenKeys().keys()) {
      if (text.contains(Base64Url.encode(k.secret()))) {
        found.add("tenant-token key " + k.kid());
      }
    }
    Path dir = keys.tenantTokenKeyFile().getParent();
    for (String file :
        List.of(DevKeys.SEALING_KEY, DevKeys.PQ_RECOVERY_SEED, DevKeys.DEV_KEYRING)) {
      if (!Files.exists(dir.resolve(file))) {
        continue;
      }
      for (String line : Files.readAllLines(dir.resolve(file), StandardCharsets.UTF_8)) {
        String l = line.trim();
        if (l.length() >= 16 && !l.startsWith("-----") && text.contains(l)) {
          found.add("a line of " + file);
        }
      }
    }
    for (String p : plaintexts) {
      if (text.contains(p)) {
        found.add("plaintext " + p);
      }
    }
    return found;
  }
}
