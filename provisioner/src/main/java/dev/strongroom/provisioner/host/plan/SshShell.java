package dev.strongroom.provisioner.host.plan;

import dev.strongroom.contracts.errors.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

/**
 * An SSH target through Apache MINA SSHD. The server must present exactly the pinned host key (an
 * OpenSSH public key line, as in {@code /etc/ssh/ssh_host_*_key.pub}); anything else ends the
 * connection before authentication. The client authenticates with one private key file and offers
 * no other method: password and keyboard-interactive authentication are never attempted.
 */
public final class SshShell implements HostShell {
  private final SshClient client;
  private final ClientSession session;
  private final Duration timeout;

  private SshShell(SshClient client, ClientSession session, Duration timeout) {
    this.client = client;
    this.session = session;
    this.timeout = timeout;
  }

  /** Reads an OpenSSH public key line ({@code ssh-ed25519 AAAA… comment}). */
  public static PublicKey publicKey(String line) {
    try {
      return AuthorizedKeyEntry.parseAuthorizedKeyEntry(line.trim())
          .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new SshException(ErrorCode.REFUSED, "not an OpenSSH public key: " + e.getMessage(), e);
    }
  }

  /** Connects, checks the host key against {@code pinnedHostKey}, authenticates with the key. */
  public static SshShell connect(
      Target target, Path identity, PublicKey pinnedHostKey, Duration timeout) {
    if (target.local()) {
      throw new IllegalArgumentException("not an SSH target: " + target);
    }
    if (!Files.isReadable(identity)) {
      throw new SshException(ErrorCode.REFUSED, "identity file not readable: " + identity, null);
    }
    AtomicReference<String> offered = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean matched =
        new java.util.concurrent.atomic.AtomicBoolean();
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(
        (session, address, key) -> {
          offered.set(KeyUtils.getFingerPrint(key));
          boolean ok = KeyUtils.compareKeys(pinnedHostKey, key);
          matched.set(ok);
          return ok;
        });
    client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    client.setKeyIdentityProvider(new FileKeyPairProvider(identity));
    client.start();
    ClientSession session = null;
    try {
      try {
        session =
            client
                .connect(target.user(), target.host(), target.port())
                .verify(timeout)
                .getSession();
      } catch (IOException e) {
        if (offered.get() != null && !matched.get()) {
          throw hostKeyRefused(target, offered.get(), pinnedHostKey, e);
        }
        throw new SshException(
            ErrorCode.UNAVAILABLE, "cannot connect to " + target + ": " + e.getMessage(), e);
      }
      try {
        session.auth().verify(timeout);
      } catch (IOException e) {
        if (offered.get() != null && !matched.get()) {
          throw hostKeyRefused(target, offered.get(), pinnedHostKey, e);
        }
        throw new SshException(
            ErrorCode.REFUSED,
            target + " refused public-key authentication (no other method is tried)",
            e);
      }
      return new SshShell(client, session, timeout);
    } catch (RuntimeException e) {
      if (session != null) {
        session.close(true);
      }
      client.stop();
      throw e;
    }
  }

  private static SshException hostKeyRefused(
      Target target, String offered, PublicKey pinned, Exception e) {
    return new SshException(
        ErrorCode.REFUSED,
        target
            + " presented host key "
            + offered
            + ", not the pinned "
            + KeyUtils.getFingerPrint(pinned),
        e);
  }

  @Override
  public Result exec(String command, byte[] stdin) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (ChannelExec ch = session.createExecChannel(command)) {
      if (stdin != null && stdin.length > 0) {
        ch.setIn(new ByteArrayInputStream(stdin));
      }
      ch.setOut(out);
      ch.setErr(err);
      ch.open().verify(timeout);
      ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
      Integer status = ch.getExitStatus();
      return new Result(
          status == null ? -1 : status,
          out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SshException(ErrorCode.UNAVAILABLE, "ssh exec failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    session.close(false);
    client.stop();
  }
}
