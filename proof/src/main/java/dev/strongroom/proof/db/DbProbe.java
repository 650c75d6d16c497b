package dev.strongroom.proof.db;

import dev.strongroom.proof.check.Evidence;
import dev.strongroom.proof.run.DbTarget;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.ServerError;
import dev.strongroom.provisioner.os.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How database checks talk to the target: as an identity (TLS 1.3, its certificate), as the
 * installer (local socket), anonymously, or with {@code openssl s_client -starttls mysql}. Every
 * exchange is kept in the check's {@link Evidence}: the client's arguments (paths, never key bytes;
 * passwords masked) and statement, the exit code, stdout and stderr verbatim.
 */
public final class DbProbe {
  private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(20);

  private final ProofContext context;
  private final DbTarget db;
  private final Evidence evidence;

  DbProbe(ProofContext context, DbTarget db, Evidence evidence) {
    this.context = context;
    this.db = db;
    this.evidence = evidence;
  }

  public DbTarget db() {
    return db;
  }

  public ProofContext context() {
    return context;
  }

  public Evidence evidence() {
    return evidence;
  }

  /** A TCP connection to the target, no TLS options yet. */
  public ClientConnection tcp(String user) {
    return ClientConnection.tcp(db.port(), user);
  }

  /** {@code identity} over TLS 1.3 with its own certificate, verifying the server. */
  public ClientConnection as(String identity) {
    DbTarget.CertKey ck = db.identity(identity);
    return tcp(identity).tls(db.caCert(), ck.cert(), ck.key()).tlsVersion("TLSv1.3");
  }

  /** The installer over the local socket; absent when the target gave no socket. */
  public Optional<ClientConnection> installer() {
    return db.socket().map(s -> ClientConnection.socket(s, System.getProperty("user.name")));
  }

  /** Runs {@code sql} over {@code connection}, recorded as {@code actor}. */
  public ClientResult run(String actor, ClientConnection connection, String sql) {
    Instant t0 = evidence.now();
    ClientResult r = context.client().execute(connection, sql);
    evidence.add(
        actor,
        "mariadb " + connection + " --execute=" + sql,
        t0,
        r.exitCode(),
        join(r.stdout(), r.stderr()));
    return r;
  }

  /** Runs {@code sql} as {@code identity} over TLS 1.3 in the target database. */
  public ClientResult sql(String identity, String sql) {
    return run(identity, as(identity).arg("--database=" + db.database()), sql);
  }

  /** Runs {@code sql} as the installer; a check must have asked {@link #installer()} first. */
  public ClientResult installerSql(String sql) {
    return run("installer", installer().orElseThrow(), sql);
  }

  /** The error {@code sql} failed with, or empty when it succeeded. */
  public Optional<ServerError> refusal(String actor, ClientConnection c, String sql) {
    ClientResult r = run(actor, c, sql);
    if (r.exitCode() == 0) {
      return Optional.empty();
    }
    return Optional.of(
        r.error()
            .orElseThrow(
                () -> new IllegalStateException("client failed without an error: " + r.stderr())));
  }

  /** {@code openssl s_client -starttls mysql} against the target with {@code extra} arguments. */
  public Processes.Result sClient(String actor, String... extra) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl",
                "s_client",
                "-starttls",
                "mysql",
                "-connect",
                "127.0.0.1:" + db.port(),
                "-CAfile",
                db.caCert().toString()));
    cmd.addAll(List.of(extra));
    return command(actor, cmd);
  }

  /** Runs a command (no stdin) and records it. */
  public Processes.Result command(String actor, List<String> cmd) {
    Instant t0 = evidence.now();
    Processes.Result r = Processes.run(cmd, null, OPENSSL_TIMEOUT);
    evidence.add(actor, String.join(" ", cmd), t0, r.exitCode(), join(r.stdout(), r.stderr()));
    return r;
  }

  /** Keeps an observation. */
  public void note(String action, String observation) {
    evidence.note("prover", action, observation);
  }

  public Path scratch() {
    return context.scratch();
  }

  private static String join(String stdout, String stderr) {
    return "stdout:\n" + stdout + (stderr.isEmpty() ? "" : "stderr:\n" + stderr);
  }
}
