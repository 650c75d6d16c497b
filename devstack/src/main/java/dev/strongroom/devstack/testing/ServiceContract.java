package dev.strongroom.devstack.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.RecordCoordinates;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.kafka.DeadLetterHeaders;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * What every service must do from the outside, inherited by each service's {@code *IT} (run against
 * the packaged application with {@link StrongroomTestResource}): be ready, expose Prometheus
 * metrics, and dead-letter — with the exact reason, and an alert signed by the service itself when
 * security-relevant — every record on its inbound topic that fails the acceptance rules.
 */
public abstract class ServiceContract {
  /** The topic the service consumes, or empty for a service with no inbound topic. */
  protected abstract Optional<String> inboundTopic();

  /**
   * The thumbprint of the application identity's ({@code demo-app}) certificate: a tenant token for
   * the tests' application is bound to it (docs/tenant-tokens.md).
   */
  protected String appCert() {
    return dev.strongroom.contracts.token.TenantTokens.thumbprint(
        stack().pki().identity(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP).certificate());
  }

  protected StrongroomTestResource.Stack stack() {
    return StrongroomTestResource.stack();
  }

  /** Where {@code @QuarkusIntegrationTest} writes the service's console: its log. */
  public static final java.nio.file.Path LOG = java.nio.file.Path.of("target", "quarkus.log");

  /**
   * After every test of the class (forged, unsigned and misfiled events, strangers' and revoked
   * certificates, endpoints refused, and each service's own attacks): the service's log is one JSON
   * object a line and holds no tenant token and no key material of the stack ({@link LogSecrets}).
   * A class that puts plaintexts through its service hides this method with one that names them.
   */
  @org.junit.jupiter.api.AfterAll
  protected static void theLog_holdsNoTokenKeyOrPlaintext() throws Exception {
    assertTheLogHoldsNoSecret(List.of());
  }

  /**
   * Asserts that the service's log ({@link #LOG}) is all JSON records and holds no tenant token, no
   * key material of the stack and none of {@code plaintexts}, a second after the last request (its
   * refusal's line).
   */
  public static void assertTheLogHoldsNoSecret(java.util.Collection<String> plaintexts)
      throws Exception {
    Thread.sleep(1000);
    assertEquals(
        List.of(),
        LogSecrets.find(LOG, StrongroomTestResource.stack().keys(), plaintexts),
        "secrets in " + LOG);
  }

  /** GETs {@code path} over HTTPS as the operator. */
  protected HttpResponse<String> get(String path) throws Exception {
    return get("operator", path);
  }

  /** GETs {@code path} over HTTPS presenting identity {@code identity}'s certificate. */
  protected HttpResponse<String> get(String identity, String path) throws Exception {
    return stack()
        .http(identity)
        .send(
            HttpRequest.newBuilder(URI.create(stack().baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** POSTs JSON to the service as the operator. */
  protected HttpResponse<String> post(String path, String json) throws Exception {
    return post("operator", path, json);
  }

  /** POSTs JSON to the service presenting identity {@code identity}'s certificate. */
  protected HttpResponse<String> post(String identity, String path, String json) throws Exception {
    HttpClient http = stack().http(identity);
    return http.send(
        HttpRequest.newBuilder(URI.create(stack().baseUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A verifier that accepts what the stack's registered keys sign (as a downstream consumer would).
   */
  protected EventVerifier downstreamVerifier() {
    Clock clock = Clock.systemUTC();
    return new EventVerifier(
        stack().keys().registry(),
        EventCatalog.standard(),
        EventVerifier.DEFAULT_SKEW,
        clock,
        ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock));
  }

  @Test
  void isReady_withItsEventKeyRegistered() throws Exception {
    HttpResponse<String> r = get("/q/health/ready");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = CanonicalJson.mapper().readTree(r.body());
    assertEquals("UP", body.get("status").asText());
    assertTrue(r.body().contains("strongroom-event-keys"), r.body());
    assertTrue(r.body().contains(stack().keys().key(stack().service()).kid()), r.body());
  }

  @Test
  void plainHttp_isRefused() throws Exception {
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    java.io.IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.IOException.class,
            () ->
                plain.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + stack().httpPort() + "/q/health"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()));
    assertNotNull(e); // the port speaks only TLS: no HTTP response ever comes back
  }

  @Test
  void callerWithoutACertificate_isRefusedAtTheHandshake() throws Exception {
    var id = stack().pki().identity("operator");
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (var in = java.nio.file.Files.newInputStream(id.caCert())) {
      trust.setCertificateEntry(
          "ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    tmf.init(trust);
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
    ctx.init(null, tmf.getTrustManagers(), null);
    // A raw TLS socket, not an HTTP client: in TLS 1.3 the client finishes its side of the
    // handshake before the server has judged its (absent) certificate, so an HTTP client may be
    // writing its request when the server's alert arrives and report a bare reset instead (seen
    // once in a full run). Reading, without writing, waits for the server's answer, which must be
    // that alert (a server that accepted would send nothing: the read times out, no alert named).
    URI base = URI.create(stack().baseUrl());
    try (javax.net.ssl.SSLSocket socket =
        (javax.net.ssl.SSLSocket)
            ctx.getSocketFactory().createSocket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      java.io.IOException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              java.io.IOException.class,
              () -> {
                socket.startHandshake(); // the alert may already end this
                int first = socket.getInputStream().read();
                throw new AssertionError(
                    "the server answered without a client certificate: " + first);
              });
      assertTrue(
          String.valueOf(e.getMessage()).contains("certificate_required")
              || String.valueOf(e.getMessage()).contains("bad_certificate"),
          "TLS alert for a missing client certificate: " + e);
    }
  }

  @Test
  void callerWithAStrangersCertificate_isRefusedAtTheHandshake(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    dev.strongroom.provisioner.pki.PkiDirectory stranger =
        dev.strongroom.provisioner.pki.PkiDirectory.open(
            tmp, dev.strongroom.provisioner.pki.PkiSpec.strongroom(List.of()));
    stranger.ensure();
    var forged = stranger.identity("operator");
    var real = stack().pki().identity("operator");
    HttpClient http =
        new dev.strongroom.contracts.tls.TlsIdentity(
                "operator", real.caCert(), forged.cert(), forged.key())
            .httpClient();
    java.io.IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.IOException.class,
            () ->
                http.send(
                    HttpRequest.newBuilder(URI.create(stack().baseUrl() + "/q/health"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()));
    assertTrue(
        String.valueOf(e.getMessage()).contains("certificate_unknown")
            || String.valueOf(e.getMessage()).contains("bad_certificate"),
        "TLS alert for a certificate of another CA: " + e);
  }

  @Test
  void healthAndMetrics_areTheOperatorsOnly() throws Exception {
    HttpResponse<String> r = get(dev.strongroom.provisioner.pki.PkiSpec.DEMO_APP, "/q/metrics");
    assertEquals(403, r.statusCode(), r.body());
    assertEquals(
        "{\"error\":\"FORBIDDEN\",\"detail\":\"demo-app may not call /q/metrics\"}", r.body());
  }

  /**
   * {@code siem} may call nothing on a service (403 FORBIDDEN); once its certificate is on the CA's
   * CRL, the same client, on the connection it keeps alive, gets 401 REVOKED — the CRL check comes
   * before the allow-list and needs no restart (issue 11, {@code ./strongroom revoke}).
   */
  @Test
  void aCallerRevokedWhileTheServiceRuns_isRefusedAtItsNextRequest() throws Exception {
    HttpClient http = stack().http("siem");
    HttpRequest health =
        HttpRequest.newBuilder(URI.create(stack().baseUrl() + "/q/health"))
            .timeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<String> before = http.send(health, HttpResponse.BodyHandlers.ofString());
    assertEquals(403, before.statusCode(), before.body());
    java.math.BigInteger serial = stack().pki().client("siem").certificate().getSerialNumber();
    stack()
        .pki()
        .revokeClient("siem", dev.strongroom.provisioner.pki.RevocationReason.KEY_COMPROMISE);
    HttpResponse<String> after = http.send(health, HttpResponse.BodyHandlers.ofString());
    assertEquals(401, after.statusCode(), after.body());
    assertEquals(
        "{\"error\":\"REVOKED\",\"detail\":\"the certificate of siem (serial "
            + serial.toString(16)
            + ") is revoked\"}",
        after.body());
  }

  /** Threads opening a new connection (a full handshake) per request during the rotation. */
  static final int ROTATION_NEW_CONNECTION_THREADS = 4;

  /**
   * New connections (full handshakes) that must complete during the rotation — from the files
   * renamed into place until a second after the new serial is first served, and on until this many
   * (at most 60 s) — for the test to say anything about connections arriving around the moment the
   * server takes the new pair.
   */
  static final int ROTATION_MIN_NEW_CONNECTIONS = 40;

  /**
   * Issue 15, reload without downtime: the service's own certificate is rotated while it runs (new
   * key and certificate renamed into place, the old one not revoked yet, as the rotation plan
   * does). Within a few seconds a new handshake shows the new serial — the same process, no restart
   * — while operator requests keep going on a kept-alive connection and on new connections (a full
   * handshake each, {@value #ROTATION_NEW_CONNECTION_THREADS} threads), and <b>none</b> fails: the
   * server's SSL context is never replaced (its key manager presents the files' current pair), so
   * no handshake can fall into a swap. At least {@value #ROTATION_MIN_NEW_CONNECTIONS} new
   * connections complete during the rotation, and every one that started after the new serial was
   * first served was shown the new serial (the switch is one-way). Then the old certificate goes on
   * the CRL (the plan's last step) and a caller presenting it is refused as revoked, the new one is
   * not.
   */
  @Test
  void itsCertificateRotatedWhileItRuns_isServedWithoutARestart_andTheOldIsThenRefused(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    String self = stack().service();
    var pki = stack().pki();
    var identity = pki.identity(self);
    java.nio.file.Path oldCert = tmp.resolve("old.pem");
    java.nio.file.Path oldKey = tmp.resolve("old.key");
    java.nio.file.Files.copy(identity.cert(), oldCert);
    java.nio.file.Files.copy(identity.key(), oldKey);
    java.security.cert.X509Certificate before = identity.certificate();
    assertEquals(before.getSerialNumber(), servedSerial(), "serves its certificate at start");
    long pid = servicePid();

    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger keptAliveOk =
        new java.util.concurrent.atomic.AtomicInteger();
    // every new connection that got its 200: when it started and ended, the serial it was shown
    java.util.concurrent.ConcurrentLinkedQueue<NewConnection> newConnections =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    List<String> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpClient keptAlive = stack().http("operator");
    List<Thread> load = new java.util.ArrayList<>();
    Thread kept =
        new Thread(
            () -> {
              HttpRequest ready =
                  HttpRequest.newBuilder(URI.create(stack().baseUrl() + "/q/health/ready"))
                      .timeout(Duration.ofSeconds(10))
                      .build();
              while (!stop.get()) {
                try {
                  HttpResponse<String> r =
                      keptAlive.send(ready, HttpResponse.BodyHandlers.ofString());
                  if (r.statusCode() == 200) {
                    keptAliveOk.incrementAndGet();
                  } else {
                    failed.add("kept-alive: " + r.statusCode() + " " + r.body());
                  }
                } catch (Exception e) {
                  failed.add("kept-alive: " + e);
                }
              }
            },
            "requests-during-reload-kept-alive");
    load.add(kept);
    dev.strongroom.contracts.tls.LiveTlsIdentity operator =
        dev.strongroom.contracts.tls.LiveTlsIdentity.open(pki.identity("operator"));
    for (int i = 0; i < ROTATION_NEW_CONNECTION_THREADS; i++) {
      load.add(
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    long start = System.nanoTime();
                    java.math.BigInteger serial = readyOnANewConnection(operator);
                    newConnections.add(new NewConnection(start, System.nanoTime(), serial));
                  } catch (Exception e) {
                    failed.add("new connection: " + e);
                  }
                }
              },
              "requests-during-reload-new-connections-" + i));
    }
    load.forEach(Thread::start);
    java.math.BigInteger now;
    long t0;
    long reloadMs;
    long firstNew;
    long windowEnd;
    try {
      Thread.sleep(1000);
      t0 = System.nanoTime();
      java.security.cert.X509Certificate after = pki.rotateClient(self, false).certificate();
      long deadline = t0 + Duration.ofSeconds(20).toNanos();
      now = servedSerial();
      while (!now.equals(after.getSerialNumber()) && System.nanoTime() < deadline) {
        Thread.sleep(50);
        now = servedSerial();
      }
      firstNew = System.nanoTime();
      reloadMs = (firstNew - t0) / 1_000_000;
      assertEquals(after.getSerialNumber(), now, "a new handshake presents the new certificate");
      Thread.sleep(1000);
      // on a loaded machine handshakes are slow: go on until enough new connections were made
      long cap = t0 + Duration.ofSeconds(60).toNanos();
      while (newConnections.stream().filter(c -> c.end() >= t0).count()
              < ROTATION_MIN_NEW_CONNECTIONS
          && System.nanoTime() < cap) {
        Thread.sleep(100);
      }
      windowEnd = System.nanoTime();
    } finally {
      stop.set(true);
      for (Thread t : load) {
        t.join(15_000);
      }
    }
    assertEquals(List.of(), failed, "requests refused, broken or dropped during the reload");
    List<NewConnection> during =
        newConnections.stream().filter(c -> c.end() >= t0 && c.end() <= windowEnd).toList();
    long beforeItWasServed = during.stream().filter(c -> c.end() <= firstNew).count();
    long oldSerial =
        during.stream().filter(c -> c.serial().equals(before.getSerialNumber())).count();
    assertTrue(
        during.size() >= ROTATION_MIN_NEW_CONNECTIONS,
        "only " + during.size() + " new connections during the rotation");
    java.math.BigInteger served = now;
    assertEquals(
        List.of(),
        during.stream().filter(c -> c.start() > firstNew && !c.serial().equals(served)).toList(),
        "a connection started after the new certificate was served got another one");
    assertTrue(keptAliveOk.get() > 0, "requests went on during the reload on the open connection");
    assertEquals(pid, servicePid(), "the service was restarted");
    assertTrue(
        get("/q/metrics")
            .body()
            .lines()
            .anyMatch(l -> l.startsWith("strongroom_tls_reloads_total") && !l.endsWith(" 0.0")),
        "strongroom_tls_reloads_total counts the reload");

    pki.revoke(before, dev.strongroom.provisioner.pki.RevocationReason.SUPERSEDED);
    HttpClient withOld =
        new dev.strongroom.contracts.tls.TlsIdentity(self, identity.caCert(), oldCert, oldKey)
            .httpClient();
    HttpResponse<String> refused =
        withOld.send(
            HttpRequest.newBuilder(URI.create(stack().baseUrl() + "/q/health"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("\"REVOKED\""), refused.body());
    HttpResponse<String> current = get(self, "/q/health");
    assertEquals(
        403, current.statusCode(), "the new certificate is not revoked: " + current.body());
    System.out.printf(
        "%s: certificate rotated while running, new serial served after %d ms (pid %d kept);"
            + " %d new connections during the rotation (%d of them before the new serial was first"
            + " seen; %d shown the old serial, %d the new), %d requests on a kept-alive"
            + " connection, 0 failed, 0 dropped%n",
        self,
        reloadMs,
        pid,
        during.size(),
        beforeItWasServed,
        oldSerial,
        during.size() - oldSerial,
        keptAliveOk.get());
  }

  /** A new connection of the rotation test: started and ended (nanoTime), the serial shown. */
  private record NewConnection(long start, long end, java.math.BigInteger serial) {}

  /**
   * One {@code GET /q/health/ready} as the operator on a new connection with a new TLS context over
   * {@code operator}'s key and trust managers (a full handshake, no session resumed, no files read
   * per connection); returns the serial the server presented, after checking the answer is 200.
   */
  private java.math.BigInteger readyOnANewConnection(
      dev.strongroom.contracts.tls.LiveTlsIdentity operator) throws Exception {
    try (javax.net.ssl.SSLSocket socket =
        (javax.net.ssl.SSLSocket)
            operator
                .newSslContext()
                .getSocketFactory()
                .createSocket("127.0.0.1", stack().httpPort())) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      java.math.BigInteger serial =
          ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
              .getSerialNumber();
      socket
          .getOutputStream()
          .write(
              "GET /q/health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String status =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      if (status == null || !status.startsWith("HTTP/1.1 200")) {
        throw new IllegalStateException("answered " + status);
      }
      return serial;
    }
  }

  /** The serial of the certificate the service presents on a new handshake. */
  private java.math.BigInteger servedSerial() throws Exception {
    javax.net.ssl.SSLContext ctx = stack().pki().identity("operator").sslContext();
    try (javax.net.ssl.SSLSocket socket =
        (javax.net.ssl.SSLSocket)
            ctx.getSocketFactory().createSocket("127.0.0.1", stack().httpPort())) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
          .getSerialNumber();
    }
  }

  /** The pid of the packaged service: the process started with this stack's HTTPS port. */
  private long servicePid() {
    String port = "quarkus.http.ssl-port=" + stack().httpPort();
    List<Long> pids =
        ProcessHandle.allProcesses()
            .filter(
                p ->
                    p.info()
                        .arguments()
                        .map(a -> java.util.Arrays.stream(a).anyMatch(x -> x.endsWith(port)))
                        .orElse(false))
            .map(ProcessHandle::pid)
            .toList();
    assertEquals(1, pids.size(), "one service process started with " + port + ": " + pids);
    return pids.get(0);
  }

  @Test
  void aPathNoRuleCovers_isRefused() throws Exception {
    HttpResponse<String> r = get("/v1/no-such-endpoint");
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"FORBIDDEN\""), r.body());
  }

  @Test
  void exposesPrometheusMetrics() throws Exception {
    HttpResponse<String> r = get("/q/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("jvm_memory_used_bytes"), "prometheus exposition");
  }

  @Test
  void forgedEvent_isDeadLettered_withSignatureInvalid_andASignedAlert() throws Exception {
    if (inboundTopic().isEmpty()) {
      return; // no inbound topic: nothing to forge against
    }
    String topic = inboundTopic().get();
    byte[] valid =
        demoSigner(Clock.systemUTC())
            .sign("dev.strongroom.store.requested.v1", "tenant-a", data(), newId(), Instant.now())
            .bytes();
    byte[] forged =
        new String(valid, StandardCharsets.UTF_8)
            .replace("\"n\":1", "\"n\":2")
            .getBytes(StandardCharsets.UTF_8);
    RecordMetadata sent = send(topic, forged);

    ConsumerRecord<byte[], byte[]> dead =
        await(
            Topics.dlq(topic),
            r ->
                header(r, DeadLetterHeaders.OFFSET).equals(Long.toString(sent.offset()))
                    && header(r, DeadLetterHeaders.PARTITION)
                        .equals(Integer.toString(sent.partition())));
    assertEquals("SIGNATURE_INVALID", header(dead, DeadLetterHeaders.REASON));
    assertEquals("signature does not verify", header(dead, DeadLetterHeaders.DETAIL));
    assertEquals(topic, header(dead, DeadLetterHeaders.TOPIC));
    assertEquals(
        new String(forged, StandardCharsets.UTF_8),
        new String(dead.value(), StandardCharsets.UTF_8),
        "dead letter is unchanged");

    ConsumerRecord<byte[], byte[]> alert =
        await(
            Topics.SECURITY_ALERTS,
            r -> {
              JsonNode rel = CanonicalJson.parse(r.value()).path("data").path("related");
              return rel.path("topic").asText().equals(topic)
                  && rel.path("offset").asLong() == sent.offset()
                  && rel.path("partition").asInt() == sent.partition();
            });
    Clock clock = Clock.systemUTC();
    EventVerifier siem =
        new EventVerifier(
            stack().keys().registry(),
            EventCatalog.standard(),
            EventVerifier.DEFAULT_SKEW,
            clock,
            ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock));
    Verdict v =
        siem.verify(
            alert.value(), new RecordCoordinates(alert.topic(), alert.partition(), alert.offset()));
    Verdict.Accepted ok = (Verdict.Accepted) v;
    assertEquals(
        "/strongroom/" + stack().service(),
        ok.event().source(),
        "the alert is signed by the service itself");
    assertEquals("SIGNATURE_INVALID", ok.event().data().get("kind").asText());
  }

  @Test
  void wellSignedEventOfATypeThisTopicDoesNotCarry_isDeadLetteredAsSchema() throws Exception {
    if (inboundTopic().isEmpty()) {
      return;
    }
    String topic = inboundTopic().get();
    byte[] value =
        demoSigner(Clock.systemUTC())
            .sign("dev.strongroom.store.requested.v1", "tenant-a", data(), newId(), Instant.now())
            .bytes();
    RecordMetadata sent = send(topic, value);
    ConsumerRecord<byte[], byte[]> dead =
        await(
            Topics.dlq(topic),
            r ->
                header(r, DeadLetterHeaders.OFFSET).equals(Long.toString(sent.offset()))
                    && header(r, DeadLetterHeaders.PARTITION)
                        .equals(Integer.toString(sent.partition())));
    assertEquals("SCHEMA", header(dead, DeadLetterHeaders.REASON));
    assertNotNull(header(dead, DeadLetterHeaders.DETAIL));
  }

  /** Signs as the demo application ({@code /apps/demo}). */
  protected EventSigner demoSigner(Clock clock) {
    return new EventSigner(stack().keys().key("demo-app"), "/apps/demo", clock);
  }

  private static ObjectNode data() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("n", 1);
    return d;
  }

  protected static String newId() {
    return com.github.f4b6a3.uuid.UuidCreator.getTimeOrderedEpoch().toString();
  }

  /**
   * Publishes {@code value} to {@code topic} (key tenant-a) with a plain idempotent producer, as
   * the identity that legitimately writes that topic from outside the services ({@link
   * KafkaAccessPolicy#externalWriterOf}: the application for request topics, an operator tool for
   * ops topics).
   */
  protected RecordMetadata send(String topic, byte[] value) throws Exception {
    String writer =
        KafkaAccessPolicy.externalWriterOf(topic)
            .orElseThrow(() -> new AssertionError("no outside identity may write " + topic));
    Properties p = new Properties();
    p.putAll(stack().kafka(writer));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      return producer
          .send(new ProducerRecord<>(topic, "tenant-a".getBytes(StandardCharsets.UTF_8), value))
          .get();
    }
  }

  /** Reads {@code topic} from the beginning, as the operator, until a record matches (60 s). */
  protected ConsumerRecord<byte[], byte[]> await(
      String topic, Predicate<ConsumerRecord<byte[], byte[]>> match) {
    Properties p = new Properties();
    p.putAll(stack().kafka("operator"));
    p.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaAccessPolicy.groupFor("operator", newId()));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (match.test(r)) {
            return r;
          }
        }
      }
    }
    throw new AssertionError("no matching record on " + topic + " within 60 s");
  }

  protected static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }
}
