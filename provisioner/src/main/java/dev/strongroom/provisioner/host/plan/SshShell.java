package dev.strongroom.provisioner.host.plan;

import dev.strongroom.contracts.errors.ErrorCode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *
 * <p><b>One connection, one channel.</b> Every {@link #exec} runs in one long-lived {@code /bin/sh}
 * on one exec channel of the one session, opened at connect: a command costs a write and a read on
 * that channel, not a channel open/close exchange of its own (which cost ~3 s per command on a
 * loaded 2-core machine, docs/performance.md). The wire protocol on the shell's standard input, one
 * block per command, everything the client supplies base64-encoded so no byte of a command or its
 * input is ever parsed by the outer shell:
 *
 * <pre>
 * __c=$(printf %s 'BASE64(command)' | base64 -d); printf %s 'BASE64(stdin)' | base64 -d &gt;"$__d/i"
 * /bin/sh -c "$__c" &lt;"$__d/i" &gt;"$__d/o" 2&gt;"$__d/e"; __r=$?
 * printf '%s %d %d %d\n' TOKEN "$__r" "$(wc -c &lt;"$__d/o")" "$(wc -c &lt;"$__d/e")"; cat "$__d/o" "$__d/e"
 * </pre>
 *
 * The reply is a header line (a random per-connection token, the exit code, the byte counts of
 * stdout and stderr) and exactly those bytes. {@code $__d} is a {@code mktemp -d} directory (0700)
 * the shell removes when it ends. Each command still runs in its own {@code sh -c} child, so a
 * syntax error or an {@code exit} ends that command only. Commands run one at a time.
 */
public final class SshShell implements HostShell {
  private final SshClient client;
  private final ClientSession session;
  private final Duration timeout;
  private final ChannelExec shell;
  private final OutputStream toShell;
  private final InputStream fromShell;
  private final String token;
  private final ExecutorService reader =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "ssh-shell-reader");
            t.setDaemon(true);
            return t;
          });
  private boolean broken;

  private SshShell(SshClient client, ClientSession session, Duration timeout) throws IOException {
    this.client = client;
    this.session = session;
    this.timeout = timeout;
    byte[] t = new byte[12];
    new SecureRandom().nextBytes(t);
    this.token = "SRSH-" + HexFormat.of().formatHex(t);
    this.shell = session.createExecChannel("exec /bin/sh");
    shell.setErr(new ByteArrayOutputStream()); // the outer shell's own complaints, if any
    shell.open().verify(timeout);
    this.toShell = shell.getInvertedIn();
    this.fromShell = new BufferedInputStream(shell.getInvertedOut(), 1 << 16);
    // Each command's stdin and output pass through files here (stdin may carry key material, e.g.
    // the tenant-token pads): on tmpfs where the target has /dev/shm, private (umask 077), each
    // file removed as soon as it is read, the directory on exit — also when the session drops
    // (SIGHUP) or is terminated.
    send(
        "umask 077; __d=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d) || exit 1;"
            + " trap 'rm -rf \"$__d\"' EXIT; trap 'exit 129' HUP; trap 'exit 143' TERM\n");
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
      try {
        return new SshShell(client, session, timeout);
      } catch (IOException e) {
        throw new SshException(
            ErrorCode.UNAVAILABLE, "cannot start a shell on " + target + ": " + e.getMessage(), e);
      }
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
  public synchronized Result exec(String command, byte[] stdin) {
    if (broken) {
      throw new SshException(
          ErrorCode.UNAVAILABLE, "the ssh shell ended after an earlier failure", null);
    }
    Base64.Encoder b64 = Base64.getEncoder();
    String block =
        "__c=$(printf %s '"
            + b64.encodeToString(command.getBytes(StandardCharsets.UTF_8))
            + "' | base64 -d); printf %s '"
            + b64.encodeToString(stdin == null ? new byte[0] : stdin)
            + "' | base64 -d >\"$__d/i\"\n"
            + "/bin/sh -c \"$__c\" <\"$__d/i\" >\"$__d/o\" 2>\"$__d/e\"; __r=$?;"
            + " rm -f \"$__d/i\"\n"
            + "printf '%s %d %d %d\\n' "
            + token
            + " \"$__r\" \"$(wc -c <\"$__d/o\")\" \"$(wc -c <\"$__d/e\")\"; cat \"$__d/o\" \"$__d/e\";"
            + " rm -f \"$__d/o\" \"$__d/e\"\n";
    Future<Result> reply = reader.submit(this::readReply);
    try {
      send(block);
      return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException | ExecutionException | TimeoutException e) {
      broken = true;
      reply.cancel(true);
      shell.close(true);
      throw new SshException(
          ErrorCode.UNAVAILABLE,
          "ssh exec failed: " + (e instanceof ExecutionException ? e.getCause() : e),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      broken = true;
      shell.close(true);
      throw new SshException(ErrorCode.UNAVAILABLE, "interrupted during ssh exec", e);
    }
  }

  private void send(String text) throws IOException {
    toShell.write(text.getBytes(StandardCharsets.UTF_8));
    toShell.flush();
  }

  /** Reads one reply: the header line, then exactly the bytes it announces. */
  private Result readReply() throws IOException {
    String header = line();
    String[] f = header.split(" ");
    if (f.length != 4 || !f[0].equals(token)) {
      throw new IOException("unexpected reply from the remote shell: " + header);
    }
    int exit = Integer.parseInt(f[1]);
    byte[] out = fromShell.readNBytes(Integer.parseInt(f[2]));
    byte[] err = fromShell.readNBytes(Integer.parseInt(f[3]));
    if (out.length != Integer.parseInt(f[2]) || err.length != Integer.parseInt(f[3])) {
      throw new EOFException("the remote shell ended mid-reply");
    }
    return new Result(
        exit, new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(96);
    for (int c = fromShell.read(); c != '\n'; c = fromShell.read()) {
      if (c < 0) {
        throw new EOFException("the remote shell ended");
      }
      b.write(c);
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      toShell.close(); // EOF: the shell exits and removes its directory
      shell.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(5));
    } catch (IOException ignored) {
      // closing anyway
    } finally {
      reader.shutdownNow();
      shell.close(true);
      session.close(false);
      client.stop();
    }
  }
}
