package dev.strongroom.provisioner.host.plan;

import dev.strongroom.contracts.errors.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * The pinned host keys of SSH targets, from an OpenSSH {@code known_hosts} file ({@code [host]:port
 * keytype base64}, or {@code host keytype base64} for port 22; hashed names work too). Exactly one
 * key may be pinned per host and port: a target with none, or with several, is refused — the
 * provisioner never learns a host key on first use. Marker lines ({@code @cert-authority},
 * {@code @revoked}) are never taken as pins.
 */
public final class KnownHostsPins {
  private final Path file;
  private final List<KnownHostEntry> entries;

  private KnownHostsPins(Path file, List<KnownHostEntry> entries) {
    this.file = file;
    this.entries = List.copyOf(entries);
  }

  /**
   * Reads {@code file}; a missing file pins nothing.
   *
   * @throws SshException {@code REFUSED} when the file cannot be parsed
   */
  public static KnownHostsPins load(Path file) {
    if (!Files.exists(file)) {
      return new KnownHostsPins(file, List.of());
    }
    try {
      List<KnownHostEntry> read = KnownHostEntry.readKnownHostEntries(file);
      return new KnownHostsPins(file, read == null ? List.of() : read);
    } catch (IOException | RuntimeException e) {
      throw new SshException(
          ErrorCode.REFUSED, "cannot read the pinned host keys " + file + ": " + e, e);
    }
  }

  /**
   * The one key pinned for {@code target}.
   *
   * @throws SshException {@code REFUSED} when none or more than one is pinned
   */
  public PublicKey pinFor(Target target) {
    if (target.local()) {
      throw new IllegalArgumentException("the local target has no host key");
    }
    List<PublicKey> keys = new ArrayList<>();
    for (KnownHostEntry e : entries) {
      if (e.getMarker() != null || !e.isHostMatch(target.host(), target.port())) {
        continue;
      }
      try {
        keys.add(e.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
      } catch (IOException | GeneralSecurityException ex) {
        throw new SshException(
            ErrorCode.REFUSED,
            "the host key pinned for " + target + " in " + file + " is unreadable: " + ex,
            ex);
      }
    }
    if (keys.isEmpty()) {
      throw new SshException(
          ErrorCode.REFUSED,
          "no host key pinned for "
              + target
              + " in "
              + file
              + " (add the target's key, e.g. '"
              + (target.port() == 22 ? target.host() : "[" + target.host() + "]:" + target.port())
              + " ecdsa-sha2-nistp256 AAAA…'; a key is never learned on first use)",
          null);
    }
    if (keys.size() > 1) {
      throw new SshException(
          ErrorCode.REFUSED,
          keys.size() + " host keys pinned for " + target + " in " + file + "; pin exactly one",
          null);
    }
    return keys.get(0);
  }
}
