package dev.strongroom.devstack.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.note.CosignatureV1Verifier;
import dev.strongroom.audit.note.Ed25519NoteVerifier;
import dev.strongroom.audit.worm.LocalDirWormStore;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.kafka.DeadLetterHeaders;
import dev.strongroom.contracts.kafka.RecordGate;
import dev.strongroom.contracts.records.EncryptRequest;
import dev.strongroom.contracts.records.FieldSealer;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.keys.DevWitness;
import dev.strongroom.devstack.stack.StackDescriptor;
import dev.strongroom.devstack.stack.StackLauncher;
import dev.strongroom.devstack.stack.StackProof;
import dev.strongroom.proof.bundle.BundleException;
import dev.strongroom.proof.bundle.BundleWriter;
import dev.strongroom.proof.bundle.ChainRecord;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbClient;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./strongroom demo}: an isolated stack in a private state directory (never the one {@code
 * up} started), the main job shown end to end with what exists so far, then everything is stopped
 * and removed. Each step compares what happened with what must happen; any mismatch makes the demo
 * fail.
 */
public final class Demo {
  /** One demonstrated fact. */
  public record Step(String name, boolean ok, String observed) {}

  private final Path home;
  private final PrintStream out;
  private final PrintStream progress;
  private final List<Step> steps = new ArrayList<>();

  public Demo(Path home, PrintStream out, PrintStream progress) {
    this.home = home;
    this.out = out;
    this.progress = progress;
  }

  /** Runs the demo; returns its steps. The stack is always stopped and its directory removed. */
  public List<Step> run(boolean print) throws Exception {
    Path state = Files.createTempDirectory("strongroom-demo-");
    StackLauncher launcher = new StackLauncher(home, state, progress);
    try {
      StackLauncher.UpResult up = launcher.up();
      say(
          print,
          "Strongroom demo: isolated stack in "
              + state
              + " (up in "
              + String.format(java.util.Locale.ROOT, "%.1f", up.took().toMillis() / 1000.0)
              + " s)");
      DevKeys keys = DevKeys.open(state.resolve("keys"));
      up.stack().db().ifPresent(db -> database(db, print));
      up.stack().db().ifPresent(db -> procOnly(db, keys, print));
      scenario(launcher, up.stack().kafkaBootstrap(), keys, print);
      clientPlane(launcher, up.stack(), keys, print);
      strangersRefused(launcher, state, up.stack(), print);
      anchored(state, up.stack(), print);
      scaleAndRestart(launcher, up.stack(), keys, print);
      kekRotation(launcher, state, up.stack(), keys, print);
      prove(launcher, state, up.stack(), keys, print);
      long passed = steps.stream().filter(Step::ok).count();
      say(
          print,
          "\nSummary: "
              + passed
              + "/"
              + steps.size()
              + " checks passed"
              + (passed == steps.size()
                  ? "; every refusal was the expected one, and nothing was dropped."
                  : "."));
    } finally {
      launcher.down();
      deleteTree(state);
    }
    return steps;
  }

  /** The hardened database, from outside, with the stock mariadb client. */
  private void database(StackDescriptor.Db db, boolean print) {
    say(
        print,
        "\nThe database ("
            + db.dialect()
            + " at "
            + db.host()
            + ":"
            + db.port()
            + ") admits only our identities over TLS 1.3:");
    MariaDbClient client = new MariaDbClient(MariaDbBinaries.debian().client());
    StackDescriptor.CertKey app = db.identities().get("app_user");
    StackDescriptor.CertKey auditor = db.identities().get("auditor");
    ClientResult ok =
        client.execute(
            ClientConnection.tcp(db.port(), "app_user").tls(db.caCert(), app.cert(), app.key()),
            "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version','Ssl_cipher')");
    String tls =
        ok.ok()
            ? ok.rows().stream().map(r -> r.get(1)).reduce((a, b) -> a + " " + b).orElse("")
            : ok.stderr().trim();
    step(print, "app_user with its certificate", ok.ok() && tls.contains("TLSv1.3"), tls);
    refused(
        print,
        client,
        "plaintext (no TLS)",
        ClientConnection.tcp(db.port(), "app_user").plaintext());
    refused(
        print,
        client,
        "TLS 1.3 without a client certificate",
        ClientConnection.tcp(db.port(), "app_user").tls(db.caCert(), null, null));
    refused(
        print,
        client,
        "the auditor's certificate presented as app_user",
        ClientConnection.tcp(db.port(), "app_user")
            .tls(db.caCert(), auditor.cert(), auditor.key()));
    refused(
        print,
        client,
        "TLS 1.2",
        ClientConnection.tcp(db.port(), "app_user")
            .tls(db.caCert(), app.cert(), app.key())
            .tlsVersion("TLSv1.2"));
  }

  /**
   * The proc-only schema: app_user reaches data only through procedures, for the tenant its token
   * names.
   */
  private void procOnly(StackDescriptor.Db db, DevKeys keys, boolean print) {
    say(
        print,
        "\nInside, app_user reaches data only through procedures, for the tenant its token names:");
    MariaDbClient client = new MariaDbClient(MariaDbBinaries.debian().client());
    StackDescriptor.CertKey app = db.identities().get("app_user");
    ClientConnection appUser =
        ClientConnection.tcp(db.port(), "app_user").tls(db.caCert(), app.cert(), app.key());
    String acme =
        keys.tenantTokens(Clock.systemUTC())
            .issue(
                "acme",
                "alice@acme",
                Duration.ofMinutes(15),
                // the database sees no application certificate (it checks aud, kid and the
                // shape of cnf); bound to app_user's, the certificate of this connection
                TenantTokens.thumbprint(
                    new TlsIdentity("app_user", db.caCert(), app.cert(), app.key()).certificate()));
    String forged =
        acme.substring(0, acme.indexOf('.') - 2)
            + (acme.charAt(acme.indexOf('.') - 2) == 'A' ? "B" : "A")
            + acme.substring(acme.indexOf('.') - 1);
    refusedWith(
        print,
        client,
        "app_user reads the users table directly",
        appUser,
        "SELECT * FROM strongroom.users",
        "ERROR 1142");
    refusedWith(
        print,
        client,
        "a procedure call with no tenant bound",
        appUser,
        "CALL strongroom.app_list_users(10)",
        "SR-NO-TENANT");
    refusedWith(
        print,
        client,
        "binding with a forged token",
        appUser,
        "CALL strongroom.security_set_tenant('" + forged + "')",
        "SR-TOKEN-SIGNATURE");
    ClientResult spoof =
        client.execute(
            appUser,
            "CALL strongroom.security_set_tenant('"
                + acme
                + "'); SET @tenant_id = 'globex'; "
                + "CALL strongroom.security_current_tenant()");
    boolean stillAcme =
        spoof.ok() && spoof.stdout().lines().reduce((a, b) -> b).orElse("").startsWith("acme");
    step(
        print,
        "bound to acme by its token, then SET @tenant_id = 'globex'",
        stillAcme,
        stillAcme
            ? "still acme: session variables mean nothing, the binding is keyed by the connection"
            : spoof.stdout() + spoof.stderr());
    StackDescriptor.CertKey auditor = db.identities().get("auditor");
    refusedWith(
        print,
        client,
        "the auditor deletes audit history",
        ClientConnection.tcp(db.port(), "auditor").tls(db.caCert(), auditor.cert(), auditor.key()),
        "DELETE FROM strongroom_audit.audit_events",
        "ERROR 1142");
  }

  private void refusedWith(
      boolean print,
      MariaDbClient client,
      String label,
      ClientConnection connection,
      String sql,
      String expected) {
    ClientResult r = client.execute(connection, sql);
    String why =
        r.stderr().lines().filter(l -> l.startsWith("ERROR")).findFirst().orElse(r.stderr().trim());
    step(
        print,
        label + " -> refused",
        !r.ok() && why.contains(expected),
        r.ok() ? "(accepted!)" : why);
  }

  private void refused(
      boolean print, MariaDbClient client, String label, ClientConnection connection) {
    ClientResult r = client.execute(connection, "SELECT 1");
    String why =
        r.stderr().lines().filter(l -> l.startsWith("ERROR")).findFirst().orElse(r.stderr().trim());
    step(print, label + " -> refused", !r.ok(), r.ok() ? "(accepted!)" : why);
  }

  /** The client plane: PII is sealed by the application and encrypted by the crypto-service. */
  private void clientPlane(
      StackLauncher launcher, StackDescriptor stack, DevKeys keys, boolean print) throws Exception {
    say(print, "\nThe client plane encrypts before anything leaves it (crypto-service):");
    String crypto = stack.services().get(dev.strongroom.devstack.stack.ServiceModule.CRYPTO);
    java.net.http.HttpClient http = launcher.identity(PkiSpec.DEMO_APP).httpClient();
    JsonNode sealing =
        CanonicalJson.mapper()
            .readTree(
                http.send(
                        java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create(crypto + "/v1/sealing-key"))
                            .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body());
    byte[] sealTo = Base64Url.decode(sealing.get("publicKey").asText());
    TenantTokens authority = keys.tenantTokens(Clock.systemUTC());
    // bound to the certificate the application presents to the crypto-service
    String appCert = TenantTokens.thumbprint(launcher.identity(PkiSpec.DEMO_APP).certificate());
    String token = authority.issue("acme", "alice@acme", Duration.ofMinutes(15), appCert);
    String recordId = newId();
    Map<String, String> fields =
        Map.of("name", "Alice Example", "role", "nurse", "email", "alice@example.org");
    EncryptRequest request =
        new EncryptRequest(
            "demo-req-1",
            token,
            recordId,
            FieldSealer.seal(sealTo, "acme", recordId, "demo-req-1", fields));
    EventSigner app = new EventSigner(keys.key("demo-app"), "/apps/demo", Clock.systemUTC());
    try (KafkaProducer<byte[], byte[]> producer =
            producer(launcher.identity(PkiSpec.DEMO_APP), stack.kafkaBootstrap());
        KafkaConsumer<byte[], byte[]> stores =
            consumer(launcher.identity("operator"), stack.kafkaBootstrap(), Topics.STORE_REQUESTS);
        KafkaConsumer<byte[], byte[]> results =
            consumer(
                launcher.identity(PkiSpec.DEMO_APP),
                stack.kafkaBootstrap(),
                Topics.STORE_RESULTS)) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.ENCRYPT_REQUESTS,
                  "acme".getBytes(StandardCharsets.UTF_8),
                  app.sign(EventCatalog.ENCRYPT_REQUESTED, "acme", request.toData()).bytes()))
          .get();
      ConsumerRecord<byte[], byte[]> out =
          await(
              stores,
              r -> {
                try {
                  return "demo-req-1"
                      .equals(
                          CanonicalJson.parse(r.value()).path("data").path("requestId").asText());
                } catch (IllegalArgumentException e) {
                  return false;
                }
              });
      if (out == null) {
        step(
            print,
            "sealed encrypt request -> crypto-service -> " + Topics.STORE_REQUESTS,
            false,
            "(no store request)");
        return;
      }
      String raw = new String(out.value(), StandardCharsets.UTF_8);
      boolean noPlaintext = fields.values().stream().noneMatch(raw::contains);
      JsonNode tree = CanonicalJson.parse(out.value());
      StoreRequest store = StoreRequest.fromData(tree.get("data"));
      step(
          print,
          "sealed encrypt request -> crypto-service -> " + Topics.STORE_REQUESTS,
          noPlaintext && tree.path("source").asText().equals("/strongroom/crypto-service"),
          "signed by "
              + tree.path("source").asText()
              + "; "
              + store.fields().size()
              + " fields as ciphertext + IV; data key "
              + store.dataKey().dekId().substring(0, 8)
              + "… wrapped by "
              + store.dataKey().kmsKeyName()
              + "@"
              + store.dataKey().kmsKeyVersion()
              + (noPlaintext ? "; no plaintext in the record" : "; PLAINTEXT FOUND"));
      ObjectNode body = CanonicalJson.mapper().createObjectNode();
      body.put("tenant", "acme")
          .put("tenantToken", token)
          .put("recordId", recordId)
          .put("schemaVersion", store.schemaVersion());
      body.set("dataKey", store.toData().get("dataKey"));
      body.set("fields", store.toData().get("fields"));
      java.net.http.HttpResponse<String> ok = post(http, crypto + "/v1/decrypt", body.toString());
      JsonNode opened =
          ok.statusCode() == 200 ? CanonicalJson.mapper().readTree(ok.body()).get("fields") : null;
      step(
          print,
          "decrypt for tenant acme with acme's token",
          opened != null && "Alice Example".equals(opened.path("name").asText()),
          opened == null
              ? ok.statusCode() + " " + ok.body()
              : "name="
                  + opened.path("name").asText()
                  + ", role="
                  + opened.path("role").asText()
                  + ", email="
                  + opened.path("email").asText());
      body.put(
          "tenantToken",
          authority.issue("globex", "mallory@globex", Duration.ofMinutes(15), appCert));
      java.net.http.HttpResponse<String> refused =
          post(http, crypto + "/v1/decrypt", body.toString());
      step(
          print,
          "decrypt acme's record with globex's token -> refused",
          refused.statusCode() == 403,
          refused.statusCode()
              + " "
              + CanonicalJson.mapper().readTree(refused.body()).path("detail").asText());
      ConsumerRecord<byte[], byte[]> result =
          await(
              results,
              r -> {
                try {
                  return "demo-req-1"
                      .equals(
                          CanonicalJson.parse(r.value()).path("data").path("requestId").asText());
                } catch (IllegalArgumentException e) {
                  return false;
                }
              });
      String status =
          result == null
              ? "(no result)"
              : CanonicalJson.parse(result.value()).path("data").path("status").asText();
      step(
          print,
          "data-service stores it through app_create_user_encrypted -> " + Topics.STORE_RESULTS,
          "STORED".equals(status),
          status + " (one row, bound to acme by its token inside the database)");
    }
  }

  /**
   * Zero trust between the planes (issue 11), tried as a stranger on the same host would: a tenant
   * token read off {@code strongroom.store.requests} (it travels with every request) and presented
   * to the crypto-service's decrypt with another valid certificate of the application (same name,
   * same CA: a second instance's) is refused as bound to another certificate; a Kafka client with
   * no certificate is refused at the handshake; and an identity that may read the crypto-service's
   * topic (the operator) is refused the crypto-service's consumer group, so it cannot take its
   * partitions and starve the pipeline.
   */
  private void strangersRefused(
      StackLauncher launcher, Path state, StackDescriptor stack, boolean print) throws Exception {
    say(
        print,
        "\nZero trust between the planes: what a stranger on the host gets hold of is useless:");
    String bootstrap = stack.kafkaBootstrap();
    ConsumerRecord<byte[], byte[]> taken;
    try (KafkaConsumer<byte[], byte[]> c =
        consumer(launcher.identity("operator"), bootstrap, Topics.STORE_REQUESTS)) {
      taken =
          await(
              c,
              r -> {
                try {
                  return "demo-req-1"
                      .equals(
                          CanonicalJson.parse(r.value()).path("data").path("requestId").asText());
                } catch (IllegalArgumentException e) {
                  return false;
                }
              });
    }
    String stolenName =
        "a token taken off "
            + Topics.STORE_REQUESTS
            + ", presented with another certificate -> refused";
    if (taken == null) {
      step(print, stolenName, false, "(demo-req-1 not on " + Topics.STORE_REQUESTS + ")");
    } else {
      StoreRequest store = StoreRequest.fromData(CanonicalJson.parse(taken.value()).get("data"));
      ObjectNode body = CanonicalJson.mapper().createObjectNode();
      body.put("tenant", "acme")
          .put("tenantToken", store.tenantToken())
          .put("recordId", store.recordId())
          .put("schemaVersion", store.schemaVersion());
      body.set("dataKey", store.toData().get("dataKey"));
      body.set("fields", store.toData().get("fields"));
      // another valid demo-app certificate of the stack's CA, its own key, outside the PKI
      Credential otherCert =
          launcher.pkiDirectory().issueAnother(PkiSpec.DEMO_APP, state.resolve("stranger"));
      TlsIdentity stranger =
          new TlsIdentity(
              PkiSpec.DEMO_APP,
              launcher.pkiDirectory().caCertPem(),
              otherCert.certPem(),
              otherCert.keyPem());
      java.net.http.HttpResponse<String> refused =
          post(
              stranger.httpClient(),
              stack.services().get(dev.strongroom.devstack.stack.ServiceModule.CRYPTO)
                  + "/v1/decrypt",
              body.toString());
      String detail = CanonicalJson.mapper().readTree(refused.body()).path("detail").asText();
      step(
          print,
          stolenName,
          refused.statusCode() == 401 && detail.contains("SR-TOKEN-CNF"),
          refused.statusCode() + " " + detail);
    }
    // a consumer without a client certificate, then the operator (who may read the topic) in the
    // crypto-service's group
    Map<String, Object> anonymous = launcher.identity("operator").kafkaClient(bootstrap);
    anonymous.remove("ssl.keystore.type");
    anonymous.remove("ssl.keystore.certificate.chain");
    anonymous.remove("ssl.keystore.key");
    Exception noCert = joinCryptoServiceGroup(anonymous);
    step(
        print,
        "a Kafka client with no certificate joining the crypto-service's group -> refused",
        noCert instanceof org.apache.kafka.common.errors.SslAuthenticationException,
        describe(noCert));
    Exception otherIdentity =
        joinCryptoServiceGroup(launcher.identity("operator").kafkaClient(bootstrap));
    step(
        print,
        "another identity (the operator, who may read "
            + Topics.ENCRYPT_REQUESTS
            + ") joining the crypto-service's group -> refused",
        otherIdentity instanceof org.apache.kafka.common.errors.GroupAuthorizationException g
            && "crypto-service".equals(g.groupId()),
        describe(otherIdentity));
  }

  /**
   * Subscribes to {@code strongroom.encrypt.requests} in the crypto-service's consumer group with
   * {@code client} and polls for up to 30 s; returns what refused it, or null if nothing did.
   */
  private static Exception joinCryptoServiceGroup(Map<String, Object> client) {
    client.put(ConsumerConfig.GROUP_ID_CONFIG, "crypto-service");
    client.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // were the group's ACL ever to let it in, it must not commit the real consumer's offsets
    client.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(client, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(Topics.ENCRYPT_REQUESTS));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      int got = 0;
      while (System.nanoTime() < deadline) {
        got += c.poll(Duration.ofMillis(200)).count();
      }
      return new IllegalStateException("not refused within 30 s; took " + got + " records");
    } catch (org.apache.kafka.common.KafkaException e) {
      return e;
    }
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /**
   * The data plane scales and restarts with nothing lost: a second data-service instance joins the
   * group ({@code scale data=2}), sealed requests go out, and every data-service instance is
   * restarted one after another while they are in flight ({@code restart data}); each request has
   * exactly one committed result and one row.
   */
  private void scaleAndRestart(
      StackLauncher launcher, StackDescriptor stack, DevKeys keys, boolean print) throws Exception {
    say(print, "\nThe data plane scales and restarts without losing a record:");
    StackLauncher.ScaleResult scaled =
        launcher.scale(dev.strongroom.devstack.stack.ServiceModule.DATA, 2);
    String crypto = stack.services().get(dev.strongroom.devstack.stack.ServiceModule.CRYPTO);
    java.net.http.HttpClient http = launcher.identity(PkiSpec.DEMO_APP).httpClient();
    byte[] sealTo =
        Base64Url.decode(
            CanonicalJson.mapper()
                .readTree(
                    http.send(
                            java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create(crypto + "/v1/sealing-key"))
                                .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                        .body())
                .get("publicKey")
                .asText());
    TenantTokens authority = keys.tenantTokens(Clock.systemUTC());
    String appCert = TenantTokens.thumbprint(launcher.identity(PkiSpec.DEMO_APP).certificate());
    EventSigner app = new EventSigner(keys.key("demo-app"), "/apps/demo", Clock.systemUTC());
    int n = 60;
    String run = newId().substring(24);
    java.util.Set<String> wanted = new java.util.TreeSet<>();
    List<StackLauncher.Restarted> restarted;
    java.util.Map<String, Integer> results = new java.util.TreeMap<>();
    java.util.Map<String, Integer> byStatus = new java.util.TreeMap<>();
    List<java.util.concurrent.Future<RecordMetadata>> sends = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
            producer(launcher.identity(PkiSpec.DEMO_APP), stack.kafkaBootstrap());
        KafkaConsumer<byte[], byte[]> out =
            consumer(
                launcher.identity(PkiSpec.DEMO_APP),
                stack.kafkaBootstrap(),
                Topics.STORE_RESULTS)) {
      for (int i = 0; i < n; i++) {
        String tenant = "demo-scale-" + (i % 3);
        String requestId = "demo-scale-" + run + "-" + i;
        String recordId = newId();
        wanted.add(requestId);
        EncryptRequest request =
            new EncryptRequest(
                requestId,
                authority.issue(tenant, "demo", Duration.ofMinutes(15), appCert),
                recordId,
                FieldSealer.seal(
                    sealTo, tenant, recordId, requestId, Map.of("name", "Person " + i)));
        sends.add(
            producer.send(
                new ProducerRecord<>(
                    Topics.ENCRYPT_REQUESTS,
                    tenant.getBytes(StandardCharsets.UTF_8),
                    app.sign(EventCatalog.ENCRYPT_REQUESTED, tenant, request.toData()).bytes())));
      }
      for (var f : sends) {
        f.get(); // every request is on the broker before the restart
      }
      restarted = launcher.restart(dev.strongroom.devstack.stack.ServiceModule.DATA);
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      long quietUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, quietUntil)) {
        for (ConsumerRecord<byte[], byte[]> r : out.poll(Duration.ofMillis(300))) {
          JsonNode d;
          try {
            d = CanonicalJson.parse(r.value()).path("data");
          } catch (IllegalArgumentException e) {
            continue;
          }
          String id = d.path("requestId").asText();
          if (wanted.contains(id)) {
            results.merge(id, 1, Integer::sum);
            byStatus.merge(d.path("status").asText(), 1, Integer::sum);
          }
        }
        if (results.size() == n && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // a second result?
        }
      }
    }
    StackLauncher.ScaleResult back =
        launcher.scale(dev.strongroom.devstack.stack.ServiceModule.DATA, 1);
    MariaDbClient mariadb = new MariaDbClient(MariaDbBinaries.debian().client());
    String rows =
        mariadb
            .require(
                dev.strongroom.provisioner.db.ClientConnection.socket(
                    stack.db().orElseThrow().socket(), System.getProperty("user.name")),
                "SELECT COUNT(*) FROM strongroom.users WHERE request_id LIKE 'demo-scale-"
                    + run
                    + "-%'")
            .scalar();
    boolean once =
        results.size() == n
            && results.values().stream().allMatch(c -> c == 1)
            && byStatus.getOrDefault("REJECTED", 0) == 0
            && rows.equals(Integer.toString(n));
    StringBuilder pids = new StringBuilder();
    for (StackLauncher.Restarted r : restarted) {
      pids.append(pids.length() == 0 ? "" : ", ")
          .append('#')
          .append(r.instance())
          .append(' ')
          .append(r.oldPid())
          .append(" -> ")
          .append(r.newPid());
    }
    step(
        print,
        "scale data=2, then restart data under " + n + " records in flight, then scale data=1",
        scaled.after().size() == 2 && restarted.size() == 2 && back.after().size() == 1 && once,
        scaled.before().size()
            + " -> "
            + scaled.after().size()
            + " instances; restarted "
            + pids
            + "; "
            + results.size()
            + "/"
            + n
            + " results "
            + byStatus
            + ", "
            + rows
            + " rows: none lost, none doubled; back to "
            + back.after().size()
            + " instance");
  }

  /**
   * A KEK rotation with the old records still readable ({@code rotate-kek}, {@link
   * dev.strongroom.devstack.stack.KekRotation}): a new KEK version, the crypto-service restarted,
   * every data key rewrapped under it without a ciphertext touched; then acme's record stored
   * before the rotation is read back through the audited read path with its rewrapped key.
   */
  private void kekRotation(
      StackLauncher launcher, Path state, StackDescriptor stack, DevKeys keys, boolean print)
      throws Exception {
    say(print, "\nThe KEK rotates; records written before it stay readable:");
    MariaDbClient mariadb = new MariaDbClient(MariaDbBinaries.debian().client());
    dev.strongroom.provisioner.db.ClientConnection installer =
        dev.strongroom.provisioner.db.ClientConnection.socket(
            stack.db().orElseThrow().socket(), System.getProperty("user.name"));
    String ciphertext =
        "SELECT SHA2(GROUP_CONCAT(CONCAT_WS(':', record_id, HEX(name_ct), HEX(name_iv),"
            + " HEX(IFNULL(role_ct, '')), HEX(IFNULL(email_ct, ''))) ORDER BY record_id"
            + " SEPARATOR '|'), 256) FROM strongroom.users";
    String before = mariadb.require(installer, ciphertext).scalar();
    dev.strongroom.devstack.stack.KekRotation.Result r =
        dev.strongroom.devstack.stack.KekRotation.rotate(
            launcher, state, new PrintStream(java.io.OutputStream.nullOutputStream()));
    boolean untouched = before.equals(mariadb.require(installer, ciphertext).scalar());
    String recordId =
        mariadb
            .require(
                installer, "SELECT record_id FROM strongroom.users WHERE request_id = 'demo-req-1'")
            .scalar();
    java.net.http.HttpClient http = launcher.identity(PkiSpec.DEMO_APP).httpClient();
    String token =
        keys.tenantTokens(Clock.systemUTC())
            .issue(
                "acme",
                "alice@acme",
                Duration.ofMinutes(15),
                TenantTokens.thumbprint(launcher.identity(PkiSpec.DEMO_APP).certificate()));
    java.net.http.HttpResponse<String> envelope =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(
                        stack.services().get(dev.strongroom.devstack.stack.ServiceModule.DATA)
                            + "/v1/records/"
                            + recordId))
                .header("Authorization", "Bearer " + token)
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    String version = "?";
    String name = "(not read: " + envelope.statusCode() + ")";
    if (envelope.statusCode() == 200) {
      ObjectNode body = (ObjectNode) CanonicalJson.mapper().readTree(envelope.body());
      version = body.path("dataKey").path("kmsKeyVersion").asText();
      body.put("tenantToken", token);
      java.net.http.HttpResponse<String> opened =
          post(
              http,
              stack.services().get(dev.strongroom.devstack.stack.ServiceModule.CRYPTO)
                  + "/v1/decrypt",
              body.toString());
      name =
          opened.statusCode() == 200
              ? CanonicalJson.mapper().readTree(opened.body()).path("fields").path("name").asText()
              : "(refused: " + opened.statusCode() + " " + opened.body() + ")";
    }
    step(
        print,
        "rotate-kek, then acme's record stored before it reads back",
        r.left() == 0
            && r.rewrapped() == r.dataKeys()
            && untouched
            && version.equals(r.to())
            && name.equals("Alice Example"),
        String.format(
            java.util.Locale.ROOT,
            "%s %s -> %s: %d data keys of %d tenants rewrapped in %.1f s, %s; the record's key now"
                + " under %s, name=%s",
            r.keyName(),
            r.from(),
            r.to(),
            r.rewrapped(),
            r.tenants(),
            r.seconds(),
            untouched ? "no ciphertext touched" : "CIPHERTEXT CHANGED",
            version,
            name));
  }

  private static java.net.http.HttpResponse<String> post(
      java.net.http.HttpClient http, String url, String json) throws Exception {
    return http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @SuppressWarnings("try") // AlertMonitor.close() may be interrupted; this method throws that
  private void scenario(StackLauncher launcher, String bootstrap, DevKeys keys, boolean print)
      throws Exception {
    TlsIdentity operator = launcher.identity("operator");
    EventSigner app = new EventSigner(keys.key("demo-app"), "/apps/demo", Clock.systemUTC());
    String storeType = "dev.strongroom.store.requested.v1";
    // The forged requests come from the application's own credential (the attacker holds it); the
    // replayed alert from a service's (an insider): the broker lets each write only its topics.
    try (KafkaProducer<byte[], byte[]> producer =
            producer(launcher.identity(PkiSpec.DEMO_APP), bootstrap);
        KafkaProducer<byte[], byte[]> insider =
            producer(launcher.identity("data-service"), bootstrap);
        AlertMonitor siem =
            new AlertMonitor(
                    launcher.identity("siem").kafkaClient(bootstrap),
                    keys.registry(),
                    keys.key("operator"),
                    "/strongroom/devstack")
                .start();
        KafkaConsumer<byte[], byte[]> dlq =
            consumer(operator, bootstrap, Topics.dlq(Topics.STORE_REQUESTS));
        KafkaConsumer<byte[], byte[]> alertsDlq =
            consumer(operator, bootstrap, Topics.dlq(Topics.SECURITY_ALERTS))) {
      byte[] tenant = "tenant-acme".getBytes(StandardCharsets.UTF_8);

      say(
          print,
          "\nAn application sends signed events to the data-service (strongroom.store.requests):");
      byte[] good = app.sign(storeType, "tenant-acme", data(), newId(), Instant.now()).bytes();
      byte[] forged =
          new String(good, StandardCharsets.UTF_8)
              .replace("\"recordId\":\"r-1\"", "\"recordId\":\"r-2\"")
              .getBytes(StandardCharsets.UTF_8);
      byte[] stale =
          app.sign(
                  storeType,
                  "tenant-acme",
                  data(),
                  newId(),
                  Instant.now().minus(Duration.ofMinutes(10)))
              .bytes();
      byte[] malformed = "{\"specversion\":\"1.0\",".getBytes(StandardCharsets.UTF_8);
      record Probe(String label, byte[] value, String reason, boolean alert) {}
      List<Probe> probes =
          List.of(
              new Probe(
                  "forged (a field changed after signing)", forged, "SIGNATURE_INVALID", true),
              new Probe("stale (signed 10 minutes ago)", stale, "STALE", true),
              new Probe("malformed (not JSON)", malformed, "MALFORMED", false));
      List<RecordMetadata> sent = new ArrayList<>();
      for (Probe p : probes) {
        sent.add(
            producer.send(new ProducerRecord<>(Topics.STORE_REQUESTS, tenant, p.value())).get());
      }
      for (int i = 0; i < probes.size(); i++) {
        Probe p = probes.get(i);
        RecordMetadata m = sent.get(i);
        ConsumerRecord<byte[], byte[]> dead =
            await(
                dlq,
                r ->
                    header(r, DeadLetterHeaders.OFFSET).equals(Long.toString(m.offset()))
                        && header(r, DeadLetterHeaders.PARTITION)
                            .equals(Integer.toString(m.partition())));
        String reason =
            dead == null ? "(nothing dead-lettered)" : header(dead, DeadLetterHeaders.REASON);
        String detail = dead == null ? "" : header(dead, DeadLetterHeaders.DETAIL);
        step(
            print,
            p.label() + " -> " + Topics.dlq(Topics.STORE_REQUESTS),
            p.reason().equals(reason),
            reason + ": " + detail);
      }

      say(
          print,
          "\nThe SIEM verifies the alerts the data-service signed (producer -> broker -> consumer):");
      String firstAlertId = null;
      byte[] firstAlert = null;
      for (Probe p : probes.stream().filter(Probe::alert).toList()) {
        AlertMonitor.Seen s =
            siem.await(
                x ->
                    x.decision() instanceof RecordGate.Admit a
                        && a.event().source().equals("/strongroom/data-service")
                        && a.event().data().path("kind").asText().equals(p.reason()),
                Duration.ofSeconds(60));
        boolean ok = s != null;
        String observed = "(no verified alert)";
        if (ok) {
          RecordGate.Admit a = (RecordGate.Admit) s.decision();
          JsonNode d = a.event().data();
          observed =
              "verified "
                  + d.get("kind").asText()
                  + " alert, severity "
                  + d.get("severity").asText()
                  + ", signed by "
                  + a.event().source()
                  + " (kid "
                  + a.event().sigkid().substring(0, 12)
                  + "…)";
          if (firstAlert == null) {
            firstAlert = s.record().value();
            firstAlertId = a.event().id();
          }
        }
        step(print, p.reason() + " alert", ok, observed);
      }

      say(print, "\nAn attacker replays a captured alert (same bytes, new offset):");
      boolean replayOk = false;
      String replayObserved = "(no alert to replay)";
      if (firstAlert != null) {
        RecordMetadata m =
            insider
                .send(
                    new ProducerRecord<>(
                        Topics.SECURITY_ALERTS,
                        "replayer".getBytes(StandardCharsets.UTF_8),
                        firstAlert))
                .get();
        ConsumerRecord<byte[], byte[]> dead =
            await(
                alertsDlq,
                r ->
                    header(r, DeadLetterHeaders.OFFSET).equals(Long.toString(m.offset()))
                        && header(r, DeadLetterHeaders.PARTITION)
                            .equals(Integer.toString(m.partition())));
        String id = firstAlertId;
        AlertMonitor.Seen replayAlert =
            siem.await(
                x ->
                    x.decision() instanceof RecordGate.Admit a
                        && a.event().data().path("kind").asText().equals("REPLAY")
                        && a.event().data().path("related").path("eventId").asText().equals(id),
                Duration.ofSeconds(30));
        replayOk =
            dead != null
                && "REPLAY".equals(header(dead, DeadLetterHeaders.REASON))
                && replayAlert != null;
        replayObserved =
            (dead == null
                    ? "(not dead-lettered)"
                    : header(dead, DeadLetterHeaders.REASON)
                        + ": "
                        + header(dead, DeadLetterHeaders.DETAIL))
                + (replayAlert == null
                    ? "; no REPLAY alert"
                    : "; REPLAY alert signed by "
                        + ((RecordGate.Admit) replayAlert.decision()).event().source());
      }
      step(
          print,
          "replayed alert -> " + Topics.dlq(Topics.SECURITY_ALERTS),
          replayOk,
          replayObserved);
    }
  }

  /**
   * The audit plane: the records above are audit events; within a few intervals a checkpoint that
   * covers them is in the WORM store, signed with the log key, and the stack's witness has cosigned
   * it (the cosigned note beside it opens with both keys).
   */
  private void anchored(Path state, StackDescriptor stack, boolean print) throws IOException {
    say(print, "\nThe audit log leaves the host: a checkpoint anchored and cosigned by a witness:");
    StackDescriptor.AuditKey audit = stack.audit().orElseThrow();
    Ed25519NoteVerifier logKey = Ed25519NoteVerifier.parse(audit.verifierKey());
    DevWitness witness =
        DevWitness.open(
            state.resolve("keys"),
            Integer.parseInt(
                Files.readString(
                        state.resolve(StackLauncher.WITNESS_PORT_FILE), StandardCharsets.US_ASCII)
                    .strip()));
    CosignatureV1Verifier witnessKey = CosignatureV1Verifier.parse(witness.verifierKey());
    LocalDirWormStore worm = LocalDirWormStore.open(Path.of(stack.worm().orElseThrow().location()));
    String prefix = "cosignatures/" + logKey.name().replace('/', '_') + "/";
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String observed = "no cosigned checkpoint with events in " + worm.location() + " within 60 s";
    boolean ok = false;
    while (!ok && System.nanoTime() < deadline) {
      List<String> names = worm.list(prefix);
      if (!names.isEmpty()) {
        String newest = names.get(names.size() - 1);
        Checkpoint.Signed c = Checkpoint.open(worm.get(newest), logKey, List.of(witnessKey));
        long cosignatures =
            c.note().verified().stream().filter(v -> v.name().equals(DevWitness.NAME)).count();
        if (c.checkpoint().size() > 0 && cosignatures == 1) {
          ok = true;
          observed =
              newest
                  + ": size "
                  + c.checkpoint().size()
                  + ", signed by "
                  + logKey.name()
                  + ", cosigned by "
                  + DevWitness.NAME
                  + " (cosignature/v1)";
        }
      }
      if (!ok) {
        sleepQuietly(500);
      }
    }
    step(print, "a checkpoint anchored and cosigned by the witness", ok, observed);
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The demo ends as an assessor would: {@code prove} on the demo's stack, its table, and the
   * signed bundle it wrote.
   */
  private void prove(
      StackLauncher launcher, Path state, StackDescriptor stack, DevKeys keys, boolean print)
      throws IOException {
    say(print, "\nEvery control, each checked by attack or measurement (./strongroom prove):");
    ProofReport report = StackProof.run(launcher, stack, keys);
    for (CheckResult r : report.results()) {
      say(
          print,
          String.format(
              java.util.Locale.ROOT,
              "   %-15s %-14s %s",
              r.control().id(),
              r.status().wireName(),
              r.detail()));
    }
    BundleWriter.Written w =
        BundleWriter.write(
            report,
            keys.key("proof-service"),
            state.resolve("evidence").resolve("proof-" + report.runId() + ".tar.gz"),
            Map.of());
    StringBuilder counts = new StringBuilder();
    report
        .counts()
        .forEach((k, n) -> counts.append(k.wireName()).append('=').append(n).append(' '));
    List<String> failing =
        report.results().stream()
            .filter(r -> r.status() == Status.FAIL || r.status() == Status.ERROR)
            .map(r -> r.control().id())
            .toList();
    // the bundle's digest goes on the audit chain; the stack's sealer chains it within a second
    String onChain;
    boolean chained = false;
    try {
      ChainRecord.Recorded rec =
          ChainRecord.withDebianClient()
              .record(StackProof.target(stack.db().orElseThrow()), report, w.manifestSha256());
      long event = rec.eventId().orElseThrow();
      OptionalLong seq = awaitSealed(stack.db().orElseThrow(), event);
      chained = seq.isPresent();
      onChain =
          "on the audit chain as event "
              + event
              + (chained ? ", sealed at seq " + seq.getAsLong() : ", NOT sealed within 30 s");
    } catch (BundleException | java.util.NoSuchElementException e) {
      onChain = "NOT on the audit chain: " + e.getMessage();
    }
    step(
        print,
        "prove: every control passes or is not-applicable",
        report.passed() && chained,
        counts.toString().trim()
            + (failing.isEmpty() ? "" : "; failing " + failing)
            + "; signed bundle, manifest sha256 "
            + w.manifestSha256()
            + "; "
            + onChain);
  }

  /** The chain seq of audit event {@code event}, read as auditor; empty if unsealed after 30 s. */
  private static OptionalLong awaitSealed(StackDescriptor.Db db, long event) {
    MariaDbClient client = new MariaDbClient(MariaDbBinaries.debian().client());
    StackDescriptor.CertKey auditor = db.identities().get("auditor");
    ClientConnection as =
        ClientConnection.tcp(db.port(), "auditor")
            .tls(db.caCert(), auditor.cert(), auditor.key())
            .tlsVersion("TLSv1.3");
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    do {
      ClientResult r =
          client.execute(
              as, "SELECT seq FROM strongroom_audit.audit_chain WHERE event_id = " + event);
      if (r.ok() && !r.rows().isEmpty()) {
        return OptionalLong.of(Long.parseLong(r.rows().get(0).get(0)));
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return OptionalLong.empty();
      }
    } while (System.nanoTime() < deadline);
    return OptionalLong.empty();
  }

  private static ObjectNode data() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("requestId", "req-1").put("recordId", "r-1");
    return d;
  }

  private void step(boolean print, String name, boolean ok, String observed) {
    steps.add(new Step(name, ok, observed));
    say(print, "   " + (ok ? "OK  " : "FAIL") + " " + name + "\n        " + observed);
  }

  private void say(boolean print, String line) {
    if (print) {
      out.println(line);
    }
  }

  private static String newId() {
    return com.github.f4b6a3.uuid.UuidCreator.getTimeOrderedEpoch().toString();
  }

  private static KafkaProducer<byte[], byte[]> producer(TlsIdentity who, String bootstrap) {
    Map<String, Object> p = who.kafkaClient(bootstrap);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(
      TlsIdentity who, String bootstrap, String topic) {
    Map<String, Object> p = who.kafkaClient(bootstrap);
    p.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        KafkaAccessPolicy.groupFor(who.name(), "demo-" + UUID.randomUUID()));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }

  /**
   * Records polled so far per consumer: a wait for one record must not lose the others it polled.
   */
  private final java.util.IdentityHashMap<
          KafkaConsumer<byte[], byte[]>, List<ConsumerRecord<byte[], byte[]>>>
      polled = new java.util.IdentityHashMap<>();

  private ConsumerRecord<byte[], byte[]> await(
      KafkaConsumer<byte[], byte[]> c, Predicate<ConsumerRecord<byte[], byte[]>> match) {
    List<ConsumerRecord<byte[], byte[]>> buffer = polled.computeIfAbsent(c, k -> new ArrayList<>());
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      for (ConsumerRecord<byte[], byte[]> r : buffer) {
        if (match.test(r)) {
          return r;
        }
      }
      if (System.nanoTime() > deadline) {
        return null;
      }
      c.poll(Duration.ofMillis(200)).forEach(buffer::add);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
