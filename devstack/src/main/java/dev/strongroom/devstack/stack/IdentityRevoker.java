package dev.strongroom.devstack.stack;

import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.DialectStatements;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbClient;
import dev.strongroom.provisioner.pki.ClientSpec;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import dev.strongroom.provisioner.pki.RevocationReason;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.ResourcePatternFilter;

/**
 * Cuts identities off the running stack everywhere at once ({@code ./strongroom revoke}) and
 * reports what each step did: the PKI first, then the database, Kafka and the services at the same
 * time (each plane on its own thread; the command returns when the slowest is done, and one that
 * fails stops none of the others):
 *
 * <ol>
 *   <li><b>PKI</b>: the identity's current certificate goes on the CA's CRL ({@link
 *       PkiDirectory#revoke}), the file the database's {@code ssl_crl} and the services' {@code
 *       strongroom.tls.crl} name.
 *   <li><b>Database</b>, as the installer over the socket: {@code FLUSH SSL} (MySQL 8.4: {@code
 *       ALTER INSTANCE RELOAD TLS}) so the server re-reads the CRL and refuses new logins with the
 *       certificate in the TLS handshake; then every open connection of that user in {@code
 *       information_schema.PROCESSLIST} is KILLed (repeated until none is left, for logins that
 *       were half-way through the handshake at the reload), and the tenant bindings of the killed
 *       connection ids are deleted from {@code strongroom_security.tenant_bindings} (a binding of a
 *       closed connection binds nobody already — its liveness lock died with it — but the row is
 *       gone too, not left for the minutely purge).
 *   <li><b>Kafka</b>, as the broker's super user: {@link KafkaAccessPolicy#revocation} (DENY all on
 *       every topic, group, transactional id and the cluster), then waits until the broker's own
 *       metadata answers with them — from then on every request of that principal, on an open
 *       connection or a new one, is refused.
 *   <li><b>Services</b>: nothing to push — each service re-reads the CRL at its next request when
 *       the file changed ({@code RevocationList}); the step checks it by calling every service's
 *       readiness endpoint with the revoked certificate and expecting {@code 401 REVOKED}.
 * </ol>
 *
 * <p>The database step also checks its own work: a login with the revoked certificate is tried and
 * must be refused, and {@code PROCESSLIST} must show no connection of the user.
 */
public final class IdentityRevoker {
  private static final Duration KAFKA_VISIBLE = Duration.ofSeconds(15);
  private static final int KILL_ROUNDS = 10;

  private final StackDescriptor stack;
  private final PkiDirectory pki;
  private final MariaDbClient client;

  public IdentityRevoker(StackDescriptor stack, PkiDirectory pki) {
    this.stack = stack;
    this.pki = pki;
    this.client = new MariaDbClient(MariaDbBinaries.debian().client());
  }

  /** The identities {@code revoke} accepts: every client of the PKI but the broker. */
  public static List<String> revocable(PkiSpec spec) {
    List<String> out = new ArrayList<>();
    for (ClientSpec c : spec.clients()) {
      if (!c.name().equals(PkiSpec.KAFKA_BROKER)) {
        out.add(c.name());
      }
    }
    return out;
  }

  /** What the certificate revocation did. */
  public record PkiStep(BigInteger serial, BigInteger crlNumber, String reason, boolean already) {}

  /**
   * What the database did: {@code reload} the statement run, {@code killed} the connection ids
   * killed, {@code bindingsRemoved} rows deleted, {@code loginRefused} the client's error for a
   * login with the revoked certificate (empty for an identity that is no database user).
   */
  public record DbStep(
      String reload, List<Long> killed, int bindingsRemoved, String loginRefused, long millis) {}

  /** What the broker got: DENY bindings added and seen by the broker. */
  public record KafkaStep(int denyAcls, long millis) {}

  /** Each service's answer to the revoked certificate, by service name. */
  public record ServicesStep(Map<String, String> answers, boolean allRefused, long millis) {}

  /** One identity's revocation. */
  public record Outcome(
      String identity, PkiStep pki, DbStep db, KafkaStep kafka, ServicesStep services) {
    /** Whether every plane refuses the identity now. */
    public boolean complete() {
      return services.allRefused() && (db.loginRefused() == null || !db.loginRefused().isEmpty());
    }
  }

  /**
   * Revokes {@code identities} (validated by the caller against {@link #revocable}) with {@code
   * reason}; the planes are done once for all of them.
   */
  public List<Outcome> revoke(List<String> identities, RevocationReason reason) {
    Map<String, PkiStep> pkiSteps = new LinkedHashMap<>();
    for (String id : identities) {
      X509Certificate cert = pki.client(id).certificate();
      boolean already = pki.crl().getRevokedCertificate(cert.getSerialNumber()) != null;
      X509CRL crl = pki.revoke(cert, reason);
      pkiSteps.put(
          id,
          new PkiStep(
              cert.getSerialNumber(),
              PkiDirectory.crlNumber(crl),
              reason.name().toLowerCase(Locale.ROOT).replace('_', '-'),
              already));
    }
    // From here the planes are independent — the database and the services read the CRL just
    // written, the broker needs nothing of it — so they run at once: the cut-off takes as long as
    // the slowest plane, not their sum, and a plane that fails stops none of the others.
    ExecutorService planes =
        Executors.newFixedThreadPool(
            2 + identities.size(),
            r -> {
              Thread t = new Thread(r, "revoke-plane");
              t.setDaemon(true);
              return t;
            });
    try {
      Future<Map<String, DbStep>> dbSteps = planes.submit(() -> database(identities));
      Future<KafkaStep> kafka = planes.submit(() -> kafka(identities));
      Map<String, Future<ServicesStep>> services = new LinkedHashMap<>();
      for (String id : identities) {
        services.put(id, planes.submit(() -> services(id)));
      }
      List<Future<?>> all = new ArrayList<>(List.of(dbSteps, kafka));
      all.addAll(services.values());
      List<RuntimeException> failed = new ArrayList<>();
      for (Future<?> f : all) {
        try {
          done(f);
        } catch (RuntimeException e) {
          failed.add(e);
        }
      }
      if (failed.size() == 1) {
        throw failed.get(0);
      }
      if (!failed.isEmpty()) { // every plane's failure, not only the first one's
        StackException combined =
            new StackException(
                "revocation failed in "
                    + failed.size()
                    + " places: "
                    + String.join("; ", failed.stream().map(Throwable::getMessage).toList()),
                failed.get(0));
        failed.stream().skip(1).forEach(combined::addSuppressed);
        throw combined;
      }
      List<Outcome> out = new ArrayList<>();
      for (String id : identities) {
        out.add(
            new Outcome(
                id, pkiSteps.get(id), done(dbSteps).get(id), done(kafka), done(services.get(id))));
      }
      return out;
    } finally {
      planes.shutdownNow();
    }
  }

  /** What {@code f} computed; its failure as the plane threw it. */
  private static <T> T done(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("interrupted while revoking", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new StackException("revocation failed: " + e.getCause(), e.getCause());
    }
  }

  // ---------------------------------------------------------------- database

  private Map<String, DbStep> database(List<String> identities) {
    StackDescriptor.Db db =
        stack.db().orElseThrow(() -> new StackException("stack.json has no db part"));
    ClientConnection installer =
        ClientConnection.socket(db.socket(), System.getProperty("user.name"));
    Map<String, DbStep> out = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    String reload = DialectStatements.reloadTls(Dialect.fromId(db.dialect()));
    client.require(installer, reload);
    long reloadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    for (String id : identities) {
      long t1 = System.nanoTime();
      if (!db.identities().containsKey(id)) {
        out.put(id, new DbStep(reload, List.of(), 0, null, reloadMillis));
        continue;
      }
      Set<Long> killed = new HashSet<>();
      for (int round = 0; round < KILL_ROUNDS; round++) {
        List<Long> open = connections(installer, id);
        if (open.isEmpty()) {
          break;
        }
        for (long c : open) {
          // a connection that ended meanwhile answers "Unknown thread id": nothing left to do
          client.execute(installer, "KILL CONNECTION " + c);
          killed.add(c);
        }
      }
      List<Long> left = connections(installer, id);
      if (!left.isEmpty()) {
        throw new StackException(
            "connections "
                + left
                + " of "
                + id
                + " are still open after "
                + KILL_ROUNDS
                + " KILLs");
      }
      List<Long> ids = new ArrayList<>(killed);
      ids.sort(null);
      int removed = 0;
      if (!ids.isEmpty()) {
        String in = String.join(",", ids.stream().map(String::valueOf).toList());
        removed =
            Integer.parseInt(
                client
                    .require(
                        installer,
                        "DELETE FROM strongroom_security.tenant_bindings WHERE connection_id IN ("
                            + in
                            + "); SELECT ROW_COUNT()")
                    .scalar()
                    .strip());
      }
      out.put(
          id,
          new DbStep(
              reload,
              List.copyOf(ids),
              removed,
              loginRefusal(db, id),
              reloadMillis + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1)));
    }
    return out;
  }

  private List<Long> connections(ClientConnection installer, String user) {
    List<Long> out = new ArrayList<>();
    for (List<String> row :
        client
            .require(
                installer,
                "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '" + user + "'")
            .rows()) {
      out.add(Long.parseLong(row.get(0)));
    }
    return out;
  }

  /** The client's error for a login with the revoked certificate; empty if it was let in. */
  private String loginRefusal(StackDescriptor.Db db, String id) {
    StackDescriptor.CertKey ck = db.identities().get(id);
    ClientResult r =
        client.execute(
            ClientConnection.tcp(db.host(), db.port(), id).tls(db.caCert(), ck.cert(), ck.key()),
            "SELECT 1");
    return r.ok() ? "" : r.stderr().strip();
  }

  // ---------------------------------------------------------------- kafka

  private KafkaStep kafka(List<String> identities) {
    long t0 = System.nanoTime();
    List<AclBinding> deny = new ArrayList<>();
    identities.forEach(id -> deny.addAll(KafkaAccessPolicy.revocation(id)));
    Map<String, Object> p = pki.identity(PkiSpec.KAFKA_BROKER).kafkaClient(stack.kafkaBootstrap());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "strongroom-revoke");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(p)) {
      admin.createAcls(deny).all().get(10, TimeUnit.SECONDS);
      // createAcls completes when the controller commits; the broker authorizes from its own copy
      // of the metadata, so wait until the broker answers with every binding
      long deadline = System.nanoTime() + KAFKA_VISIBLE.toNanos();
      while (true) {
        Set<AclBinding> seen = new HashSet<>();
        for (String id : identities) {
          seen.addAll(
              admin
                  .describeAcls(
                      new AclBindingFilter(
                          ResourcePatternFilter.ANY,
                          new AccessControlEntryFilter(
                              "User:" + id, null, AclOperation.ANY, AclPermissionType.DENY)))
                  .values()
                  .get(10, TimeUnit.SECONDS));
        }
        if (seen.containsAll(deny)) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new StackException(
              "the broker does not show the DENY ACLs within " + KAFKA_VISIBLE.toSeconds() + " s");
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("interrupted while adding the DENY ACLs", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new StackException("cannot add the DENY ACLs on the broker: " + e.getMessage(), e);
    }
    return new KafkaStep(deny.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  // ---------------------------------------------------------------- services

  private ServicesStep services(String id) {
    long t0 = System.nanoTime();
    TlsIdentity identity = pki.identity(id);
    Map<String, String> answers = new LinkedHashMap<>();
    boolean all = true;
    for (Map.Entry<String, String> s : stack.serviceUrlsByName().entrySet()) {
      String answer;
      try {
        HttpResponse<String> r =
            identity
                .httpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(s.getValue() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        answer = r.statusCode() + " " + errorOf(r.body());
        all &= r.statusCode() == 401 && r.body().contains("\"REVOKED\"");
      } catch (IOException e) {
        answer = "no answer: " + e.getMessage();
        all = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StackException("interrupted while checking the services", e);
      }
      answers.put(s.getKey(), answer);
    }
    return new ServicesStep(answers, all, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  private static String errorOf(String body) {
    try {
      return dev.strongroom.contracts.envelope.CanonicalJson.parse(
              body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .path("error")
          .asText("");
    } catch (RuntimeException e) {
      return "";
    }
  }
}
