package dev.strongroom.provisioner.host.plan;

import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.MariaDbClient;
import dev.strongroom.provisioner.db.ServerError;
import dev.strongroom.provisioner.os.Processes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client that, like a service re-reading its files, logs in as {@code app_user} over TLS again
 * and again (the stock {@code mariadb} client, {@code SELECT 1}) with the certificate and key it
 * reads from a host's {@code <configDir>/pki} each time, on its own thread. A pair read between the
 * two renames of an install (the new certificate, the old key) is not a login attempt: it is
 * counted ({@link #torn}) and read again. Every login that does not answer 1 is a refusal, kept
 * with the client's output. Shared by the provisioner's and the provisioner-service's rotation
 * tests.
 */
public final class TlsLoginProbe implements AutoCloseable {
  /**
   * A revoked client certificate ends the TLS 1.3 handshake: the client sees the alert, or the
   * reset if it was already sending its login (as in TlsRotationIT).
   */
  public static final Set<ServerError> REVOKED =
      Set.of(
          new ServerError(
              2013,
              "HY000",
              "Lost connection to server at 'sending authentication information', system error:"
                  + " 104"),
          new ServerError(2026, "HY000", "TLS/SSL error: sslv3 alert certificate revoked"));

  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger ok = new AtomicInteger();
  private final AtomicInteger torn = new AtomicInteger();
  private final List<String> refusals = Collections.synchronizedList(new ArrayList<>());
  private final MariaDbClient client;
  private final Path etcPki;
  private final int port;
  private final Path scratch;
  private final Thread thread;

  /** Starts logging in at once; {@code scratch} is a private directory for the copied pair. */
  public TlsLoginProbe(MariaDbClient client, Path etcPki, int port, Path scratch) {
    this.client = client;
    this.etcPki = etcPki;
    this.port = port;
    this.scratch = scratch;
    this.thread = new Thread(this::loop, "tls-login-probe");
    thread.start();
  }

  /** Waits until {@code n} more logins succeeded (fails after two minutes). */
  public void awaitMoreLogins(int n) throws InterruptedException {
    int target = ok.get() + n;
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (ok.get() < target) {
      if (System.nanoTime() > deadline || !thread.isAlive()) {
        throw new AssertionError(
            "only " + ok.get() + " of " + target + " logins; refusals: " + refusals);
      }
      Thread.sleep(50);
    }
  }

  public int logins() {
    return ok.get();
  }

  public int torn() {
    return torn.get();
  }

  public List<String> refusals() {
    synchronized (refusals) {
      return List.copyOf(refusals);
    }
  }

  /** Stops logging in and waits for the thread. */
  @Override
  public void close() {
    stop.set(true);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    Path cert = scratch.resolve("probe.pem");
    Path key = scratch.resolve("probe.key");
    while (!stop.get()) {
      try {
        byte[] c = Files.readAllBytes(etcPki.resolve("clients/app_user.pem"));
        byte[] k = Files.readAllBytes(etcPki.resolve("clients/app_user.key"));
        if (!pair(c, k)) {
          torn.incrementAndGet();
          continue;
        }
        Files.write(cert, c);
        Files.write(key, k);
        ClientResult r =
            client.execute(
                ClientConnection.tcp(port, "app_user").tls(etcPki.resolve("ca/ca.pem"), cert, key),
                "SELECT 1");
        if (r.ok() && r.stdout().strip().equals("1")) {
          ok.incrementAndGet();
        } else {
          refusals.add(r.toString());
        }
      } catch (Exception e) {
        refusals.add(e.toString());
      }
    }
  }

  /** Whether {@code key} (PKCS#8 PEM) is the private half of {@code cert}'s public key. */
  private static boolean pair(byte[] cert, byte[] key) throws Exception {
    X509Certificate c =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(cert));
    String b64 =
        new String(key, StandardCharsets.US_ASCII)
            .replaceAll("-----[A-Z ]+-----", "")
            .replaceAll("\\s", "");
    String alg = c.getPublicKey().getAlgorithm();
    PrivateKey k =
        KeyFactory.getInstance(alg)
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    Signature s = Signature.getInstance(alg.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA");
    byte[] msg = MessageDigest.getInstance("SHA-256").digest(cert);
    s.initSign(k);
    s.update(msg);
    byte[] sig = s.sign();
    s.initVerify(c.getPublicKey());
    s.update(msg);
    return s.verify(sig);
  }

  /**
   * The certificate a MySQL-protocol server on loopback {@code port} presents ({@code openssl
   * s_client -starttls mysql}), as PEM without whitespace.
   */
  public static String servedCertificate(int port) {
    Processes.Result r =
        Processes.run(
            List.of(
                "openssl",
                "s_client",
                "-starttls",
                "mysql",
                "-connect",
                "127.0.0.1:" + port,
                "-servername",
                "localhost"),
            null,
            Duration.ofSeconds(20));
    return pem(r.stdout());
  }

  /** The first PEM certificate in {@code text}, without whitespace. */
  public static String pem(String text) {
    Matcher m =
        Pattern.compile("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----").matcher(text);
    if (!m.find()) {
      throw new AssertionError("no certificate in: " + text);
    }
    return m.group().replaceAll("\\s+", "");
  }
}
