package dev.strongroom.devstack.keys;

import dev.strongroom.provisioner.os.SecureFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/**
 * The provisioner-service's SSH files on a local stack, under {@code <state>/provisioner/}: its
 * login key {@code ssh/id_ecdsa} (OpenSSH format, 0600; generated once, public half in {@code
 * ssh/id_ecdsa.pub} to install in a target's {@code authorized_keys}), the pinned host keys {@code
 * ssh/known_hosts} (created empty: the operator pins each target's key; nothing is learned on first
 * use) and the request ledger {@code state/}. Development only: on a real deployment the ops plane
 * provides these files.
 */
public record ProvisionerSsh(Path dir) {
  /** The login key's comment. */
  public static final String COMMENT = "strongroom-provisioner";

  public Path identity() {
    return dir.resolve("ssh/id_ecdsa");
  }

  public Path identityPublic() {
    return dir.resolve("ssh/id_ecdsa.pub");
  }

  public Path knownHosts() {
    return dir.resolve("ssh/known_hosts");
  }

  public Path stateDir() {
    return dir.resolve("state");
  }

  /** Creates what is missing (the key once, an empty known_hosts); keeps what exists. */
  public static ProvisionerSsh ensure(Path dir) throws IOException {
    ProvisionerSsh p = new ProvisionerSsh(dir);
    SecureFiles.privateDir(dir.resolve("ssh"));
    SecureFiles.privateDir(p.stateDir());
    if (!Files.exists(p.identity())) {
      try {
        KeyPair kp = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
        ByteArrayOutputStream priv = new ByteArrayOutputStream();
        OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(kp, COMMENT, null, priv);
        SecureFiles.writeSecret(p.identity(), priv.toByteArray());
        SecureFiles.writePublic(
            p.identityPublic(),
            (PublicKeyEntry.toString(kp.getPublic()) + " " + COMMENT + "\n")
                .getBytes(StandardCharsets.US_ASCII));
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot generate the provisioner's SSH key", e);
      }
    }
    if (!Files.exists(p.knownHosts())) {
      SecureFiles.writeText(
          p.knownHosts(),
          "# Host keys the provisioner-service accepts, one per target: [host]:port keytype base64\n",
          SecureFiles.SECRET);
    }
    return p;
  }

  /**
   * The provisioner-service's {@code strongroom.provisioner.*} settings, plans under {@code root}.
   */
  public Map<String, String> serviceConfig(Path root) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("strongroom.provisioner.enabled", "true");
    c.put("strongroom.provisioner.state-dir", stateDir().toString());
    c.put("strongroom.provisioner.root", root.toString());
    c.put("strongroom.provisioner.ssh.identity", identity().toString());
    c.put("strongroom.provisioner.ssh.known-hosts", knownHosts().toString());
    return c;
  }
}
