package dev.strongroom.provisionerservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.RecordCoordinates;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.kafka.DeadLetterHeaders;
import dev.strongroom.contracts.provision.ProvisionCompleted;
import dev.strongroom.contracts.provision.ProvisionMode;
import dev.strongroom.contracts.provision.ProvisionProgressed;
import dev.strongroom.contracts.provision.ProvisionRequest;
import dev.strongroom.contracts.provision.StepOutcome;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.devstack.keys.ProvisionerSsh;
import dev.strongroom.devstack.testing.ServiceContract;
import dev.strongroom.devstack.testing.StrongroomTestResource;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.DbAccount;
import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.InstanceLayout;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerSettings;
import dev.strongroom.provisioner.db.TestInstances;
import dev.strongroom.provisioner.db.TlsFiles;
import dev.strongroom.provisioner.db.VaultKeyManagement;
import dev.strongroom.provisioner.db.VaultKvV2TestServer;
import dev.strongroom.provisioner.host.HostOptions;
import dev.strongroom.provisioner.host.HostRequests;
import dev.strongroom.provisioner.host.plan.CertificatePlan;
import dev.strongroom.provisioner.host.plan.TestSshd;
import dev.strongroom.provisioner.host.plan.TlsLoginProbe;
import dev.strongroom.provisioner.os.LoopbackPorts;
import dev.strongroom.provisioner.pki.ClientKind;
import dev.strongroom.provisioner.pki.Credential;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The packaged provisioner-service against a real broker (in-process KRaft, mutual TLS, ACLs) and a
 * real OpenSSH server on loopback ({@link TestSshd}), applying into a throwaway root: readiness,
 * metrics and the acceptance rules from outside (ServiceContract); a plan that changes nothing, an
 * apply that changes every step, a re-apply that says NO_CHANGE, a retry recalled by request id; an
 * unreachable target ends in a FAILED result with its reason; forged, unsigned and unservable
 * requests are dead-lettered with theirs. The service's SSH key and pins are its own files ({@link
 * StrongroomTestResource#provisionerSsh()}); the test only pins its server's host key there.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(
    value = StrongroomTestResource.class,
    initArgs = @ResourceArg(name = "service", value = "provisioner-service"),
    restrictToAnnotatedClass = true)
class ProvisionerServiceIT extends ServiceContract {
  private static final Duration WAIT = Duration.ofMinutes(2);

  @Override
  protected Optional<String> inboundTopic() {
    return Optional.of(Topics.PROVISION_REQUESTS);
  }

  @Test
  void plan_apply_reapply_noChange_andARetryIsRecalled() throws Exception {
    Path base = Files.createTempDirectory("sr-prov-ssh-");
    try (TestSshd sshd = new TestSshd(base)) {
      ProvisionerSsh ssh = StrongroomTestResource.provisionerSsh();
      sshd.authorize(ssh.identityPublic());
      int port = sshd.startKeyOnly();
      pin(sshd.knownHostsLine(port));
      String target = "ssh://root@127.0.0.1:" + port;
      Path root = StrongroomTestResource.provisionerTargetRoot();
      emptyTree(root); // one root for the service: start from a bare host whatever ran before

      ProvisionCompleted planned = run("plan-" + newId(), ProvisionMode.PLAN, target);
      assertEquals(ProvisionCompleted.Outcome.WOULD_CHANGE, planned.outcome(), planned.toString());
      assertFalse(Files.exists(root.resolve("etc/nftables.conf")), "a plan changes nothing");

      String applyId = "apply-" + newId();
      long t0 = System.nanoTime();
      ProvisionCompleted applied = run(applyId, ProvisionMode.APPLY, target);
      long applyMs = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(ProvisionCompleted.Outcome.CHANGED, applied.outcome(), applied.toString());
      List<ProvisionCompleted.Step> steps = applied.steps();
      assertEquals("activate", steps.get(steps.size() - 1).id());
      // every step, activation too, but the schema and the TLS reload: no database server runs
      // under the root
      assertEquals(
          List.of("reload tls", "db schema"),
          steps.stream()
              .filter(s -> s.status() != StepOutcome.CHANGED)
              .map(ProvisionCompleted.Step::id)
              .toList(),
          applied.toString());
      assertTrue(
          Files.isSymbolicLink(
              root.resolve("etc/systemd/system/multi-user.target.wants/strongroom.target")));
      assertEquals(planned.bundleSha256(), applied.bundleSha256());
      assertTrue(Files.readString(root.resolve("etc/passwd")).contains("strongroom-db:"));
      assertTrue(Files.exists(root.resolve("etc/strongroom/host/MANIFEST.tsv")));

      // progress: each step STARTED, then its result, numbered without gaps, signed by the service
      List<ProvisionProgressed> progress = progressOf(applyId, 2 * steps.size());
      for (int i = 0; i < progress.size(); i++) {
        ProvisionProgressed p = progress.get(i);
        assertEquals(i, p.seq());
        assertEquals(applied.runId(), p.runId());
        ProvisionCompleted.Step s = steps.get(i / 2);
        assertEquals(s.id(), p.step());
        assertEquals(i % 2 == 0 ? StepOutcome.STARTED : s.status(), p.status(), p.toString());
      }

      String reapplyId = "reapply-" + newId();
      t0 = System.nanoTime();
      ProvisionCompleted again = run(reapplyId, ProvisionMode.APPLY, target);
      long reapplyMs = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(ProvisionCompleted.Outcome.NO_CHANGE, again.outcome(), again.toString());
      assertEquals(steps.size() - 2, again.count(StepOutcome.UNCHANGED), again.toString());

      // the requester's retry: a new event, the same request id -> the same run, not a second one
      ProvisionCompleted recalled = runNth(reapplyId, ProvisionMode.APPLY, target, 2);
      assertEquals(again, recalled);
      System.out.printf(
          "provision over Kafka + SSH, %d steps: apply %d ms, re-apply (no change) %d ms%n",
          steps.size(), applyMs, reapplyMs);
    }
  }

  /**
   * {@code ./strongroom provision --apply} on this stack (its state directory is the resource's:
   * keys, PKI, provisioner files, plus a stack.json naming the broker): the command publishes,
   * streams the steps and prints the result; the second apply says "no change"; an unpinned target
   * is refused with the reason and where to pin it (exit 2).
   */
  @Test
  void theCommand_appliesThroughTheService_thenSaysNoChange() throws Exception {
    Path state = StrongroomTestResource.provisionerSsh().dir().getParent();
    Files.writeString(
        state.resolve("stack.json"),
        "{\"version\":1,\"kafka\":{\"bootstrap\":\""
            + stack().bootstrap()
            + "\",\"logDir\":\"/nonexistent\"},\"logs\":{\"dir\":\"/nonexistent\"}}");
    Path base = Files.createTempDirectory("sr-prov-ssh-");
    try (TestSshd sshd = new TestSshd(base)) {
      sshd.authorize(StrongroomTestResource.provisionerSsh().identityPublic());
      int port = sshd.startKeyOnly();
      pin(sshd.knownHostsLine(port));
      String target = "ssh://root@127.0.0.1:" + port;

      Cli first = cli(state, "provision", "--apply", target);
      assertEquals(0, first.rc(), first.err());
      assertTrue(first.out().startsWith("provision APPLY " + target + " (request "), first.out());
      assertTrue(
          first.out().contains("applied to " + target + ": ")
              || first.out().contains("no change: " + target), // another test applied the root
          first.out());
      assertTrue(
          first.out().contains("  CHANGED      activate — enable strongroom.target")
              || first.out().contains("  UNCHANGED    activate"),
          first.out());

      Cli second = cli(state, "provision", "--apply", target);
      assertEquals(0, second.rc(), second.err());
      assertTrue(
          second
              .out()
              .contains("no change: " + target + " already matches the bundle (0 changed, "),
          second.out());

      Cli json = cli(state, "--json", "provision", "--plan", target);
      assertEquals(0, json.rc(), json.err());
      ProvisionCompleted planned =
          ProvisionCompleted.fromData(
              CanonicalJson.parse(json.out().trim().getBytes(StandardCharsets.UTF_8)));
      assertEquals(ProvisionCompleted.Outcome.NO_CHANGE, planned.outcome());

      String unpinned = "ssh://root@127.0.0.1:" + LoopbackPorts.free();
      Cli refused = cli(state, "provision", "--plan", unpinned);
      assertEquals(2, refused.rc(), refused.err());
      assertTrue(
          refused
              .err()
              .startsWith(
                  "strongroom provision: the provisioner-service refused the request: REFUSED: "),
          refused.err());
      assertTrue(
          refused
              .err()
              .contains(
                  "strongroom provision: pin the target's host key in "
                      + StrongroomTestResource.provisionerSsh().knownHosts()),
          refused.err());
    }
  }

  /**
   * Certificate rotation through the service (issue 15), on the SSH target with a real MariaDB
   * server running on the target's files: the host plan; a first rotation request installs the
   * target's certificates from the provisioner's PKI for it (no server yet: reload SKIPPED); the
   * server starts on them; then a rotation of everything issued before now — each step's progress
   * on the events topic — while a client logs in as app_user again and again with the files it
   * reads from the target: none refused; afterwards the server presents the new certificate (same
   * process), the old app_user certificate is refused as revoked, and the same rotation again, as
   * the command, says no change.
   */
  @Test
  void certificateRotation_overEvents_noLoginRefused_thenTheSameRotationChangesNothing()
      throws Exception {
    Path base = Files.createTempDirectory(Path.of("/tmp"), "sr-prov-rot-");
    Path root = StrongroomTestResource.provisionerTargetRoot();
    MariaDbInstance db = null;
    try (TestSshd sshd = new TestSshd(base)) {
      sshd.authorize(StrongroomTestResource.provisionerSsh().identityPublic());
      int port = sshd.startKeyOnly();
      pin(sshd.knownHostsLine(port));
      String target = "ssh://root@127.0.0.1:" + port;
      int dbPort = LoopbackPorts.free();
      HostOptions options = HostOptions.builder().dbPort(dbPort).build();
      ProvisionCompleted host =
          run(request("rot-host-" + newId(), ProvisionMode.APPLY, target, options, null));
      assertTrue(host.errorIfFailed().isEmpty(), host.toString());

      // the host plan issued and installed the certificates; rotate them all once more
      Thread.sleep(1_100); // the instant is whole seconds: after the host plan's issue
      Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      ProvisionCompleted installed =
          run(
              request(
                  "rot-1-" + newId(),
                  ProvisionMode.APPLY,
                  target,
                  options,
                  new ProvisionRequest.Rotate(first)));
      assertEquals(ProvisionCompleted.Outcome.CHANGED, installed.outcome(), installed.toString());
      ProvisionCompleted.Step skipped = installed.steps().get(installed.steps().size() - 3);
      assertEquals("reload tls", skipped.id());
      assertEquals(StepOutcome.SKIPPED, skipped.status(), skipped.toString());

      // the database server on the target's files, its socket where the plan looks
      Path etcPki = root.resolve("etc/strongroom/pki");
      PkiDirectory pki =
          PkiDirectory.open(
              StrongroomTestResource.provisionerSsh().stateDir().resolve("pki/127.0.0.1_" + port),
              CertificatePlan.spec("127.0.0.1"));
      db =
          MariaDbInstance.prepare(
              ServerSettings.builder(
                      Dialect.MARIADB_10_11,
                      new InstanceLayout(Path.of(root + options.dbLayout().base().toString())),
                      new TlsFiles(
                          etcPki.resolve("ca/ca.pem"),
                          etcPki.resolve("server/server.pem"),
                          etcPki.resolve("server/server.key"),
                          etcPki.resolve("ca/crl.pem")))
                  .port(dbPort)
                  .bufferPoolMb(32)
                  .redoLogMb(16)
                  .maxConnections(30)
                  .maxUserConnections(10)
                  .build(),
              MariaDbBinaries.debian());
      db.start();
      db.applyAccounts(DbAccount.strongroomIdentities(pki));
      long pid = db.pid();
      String oldServed = TlsLoginProbe.servedCertificate(dbPort);
      Path oldCert = Files.copy(etcPki.resolve("clients/app_user.pem"), base.resolve("old.pem"));
      Path oldKey = Files.copy(etcPki.resolve("clients/app_user.key"), base.resolve("old.key"));

      Thread.sleep(1_100); // the instant is whole seconds: after the first issue's second
      Instant cutoff = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      String rotateId = "rot-2-" + newId();
      ProvisionCompleted rotated;
      long rotateMs;
      int during;
      TlsLoginProbe probe = new TlsLoginProbe(db.client(), etcPki, dbPort, base);
      try (probe) {
        probe.awaitMoreLogins(3);
        int atStart = probe.logins();
        long t0 = System.nanoTime();
        rotated =
            run(
                request(
                    rotateId,
                    ProvisionMode.APPLY,
                    target,
                    options,
                    new ProvisionRequest.Rotate(cutoff)));
        rotateMs = (System.nanoTime() - t0) / 1_000_000;
        during = probe.logins() - atStart;
        probe.awaitMoreLogins(3);
      }
      assertEquals(ProvisionCompleted.Outcome.CHANGED, rotated.outcome(), rotated.toString());
      assertTrue(
          rotated.steps().get(0).detail().startsWith("rotate server, app_user, auditor,"),
          rotated.toString());
      ProvisionCompleted.Step reload = rotated.steps().get(rotated.steps().size() - 3);
      assertEquals("reload tls", reload.id());
      assertEquals(StepOutcome.CHANGED, reload.status(), reload.toString());
      // the old certificates are revoked last, once the new ones are served
      ProvisionCompleted.Step revoke = rotated.steps().get(rotated.steps().size() - 1);
      assertEquals("revoke superseded", revoke.id());
      assertEquals(StepOutcome.CHANGED, revoke.status(), revoke.toString());
      assertEquals(List.of(), probe.refusals(), "logins refused during the rotation");
      List<ProvisionProgressed> progress = progressOf(rotateId, 2 * rotated.steps().size());
      for (int i = 0; i < progress.size(); i++) {
        assertEquals(i, progress.get(i).seq());
        assertEquals(rotated.steps().get(i / 2).id(), progress.get(i).step());
      }

      String newServed = TlsLoginProbe.servedCertificate(dbPort);
      assertFalse(oldServed.equals(newServed), "the server still presents the old certificate");
      assertEquals(TlsLoginProbe.pem(Files.readString(pki.server().certPem())), newServed);
      assertEquals(pid, db.pid(), "the server was restarted");
      ClientResult old =
          db.client()
              .execute(
                  ClientConnection.tcp(dbPort, "app_user")
                      .tls(etcPki.resolve("ca/ca.pem"), oldCert, oldKey),
                  "SELECT 1");
      assertTrue(TlsLoginProbe.REVOKED.contains(old.error().orElse(null)), old.toString());

      Path state = StrongroomTestResource.provisionerSsh().dir().getParent();
      Files.writeString(
          state.resolve("stack.json"),
          "{\"version\":1,\"kafka\":{\"bootstrap\":\""
              + stack().bootstrap()
              + "\",\"logDir\":\"/nonexistent\"},\"logs\":{\"dir\":\"/nonexistent\"}}");
      Cli again =
          cli(
              state,
              "provision",
              "--apply",
              target,
              "--db-port",
              Integer.toString(dbPort),
              "--rotate-certificates",
              "--issued-before",
              cutoff.toString());
      assertEquals(0, again.rc(), again.err());
      assertTrue(
          again.out().contains("rotating the certificates issued before " + cutoff), again.out());
      assertTrue(
          again
              .out()
              .contains(
                  "no change: "
                      + target
                      + " already matches its certificates issued from "
                      + cutoff
                      + " on (0 changed, "),
          again.out());
      System.out.printf(
          "certificate rotation over Kafka + SSH, %d steps: %d ms; app_user logins: %d during it,"
              + " %d in all, %d refused, %d file pairs read mid-install; old app_user: %s%n",
          rotated.steps().size(),
          rotateMs,
          during,
          probe.logins(),
          probe.refusals().size(),
          probe.torn(),
          old.error().orElseThrow());
    } finally {
      try {
        if (db != null) {
          db.stop();
        }
      } finally {
        emptyTree(root); // the server's files under the shared root: the next test starts bare
        TestInstances.deleteTree(base); // the old app_user key copy among them
      }
    }
  }

  /**
   * Certificate rotation through the service with a real packaged Strongroom service installed on
   * the SSH target (issue 15): a second provisioner-service process — the jar this module packages,
   * run as the root's service user (its uid and gid from the root's {@code /etc/passwd} and {@code
   * /etc/group}, as the systemd unit's {@code User=}) with the environment of {@code
   * <root>/etc/strongroom/provisioner-service.env} (as the unit's {@code EnvironmentFile=}), which
   * points {@code STRONGROOM_TLS_*} at the files the plan installed and holds the {@code
   * QUARKUS_HTTP_SSL_PORT} the plan looks for. A rotation: step {@code services present the new
   * certificates} waits until the service presents its new certificate, read on the target with
   * {@code openssl s_client}, and passes (CHANGED) because the service reloaded its files — the
   * same process, the new serial on a handshake from the test — then {@code revoke superseded};
   * requests on new connections during the rotation all answered; the old certificate is then
   * refused by the service itself (its CRL re-read); the same rotation again changes nothing. Then
   * the service restarted with {@code STRONGROOM_TLS_RELOAD_CHECK=PT1H}: the next rotation fails at
   * that step after the plan's 30 s, nothing revoked (the installed CRL byte for byte the same);
   * restarted as an operator would, the same rotation finishes.
   *
   * <p>The installed service reaches no broker: its identity comes from the target's own PKI, which
   * the stack's broker does not trust (and with the stack's identity it would join the service
   * under test's consumer group and take its requests); {@code KAFKA_BOOTSTRAP_SERVERS} names a
   * closed loopback port, so its Kafka clients retry in the background and HTTPS, what the plan
   * checks, is unaffected.
   */
  @Test
  void certificateRotation_withAPackagedServiceOnTheTarget_itReloadsItself_aSlowOneFailsFirst()
      throws Exception {
    Path base = Files.createTempDirectory(Path.of("/tmp"), "sr-prov-svc-");
    Path root = StrongroomTestResource.provisionerTargetRoot();
    Path stackDir = root.getParent();
    java.util.Set<java.nio.file.attribute.PosixFilePermission> stackDirMode =
        Files.getPosixFilePermissions(stackDir);
    InstalledService svc = null;
    try (TestSshd sshd = new TestSshd(base)) {
      sshd.authorize(StrongroomTestResource.provisionerSsh().identityPublic());
      int port = sshd.startKeyOnly();
      pin(sshd.knownHostsLine(port));
      String target = "ssh://root@127.0.0.1:" + port;
      HostOptions options = HostOptions.builder().dbPort(LoopbackPorts.free()).build();
      ProvisionCompleted host =
          run(request("svc-host-" + newId(), ProvisionMode.APPLY, target, options, null));
      assertTrue(host.errorIfFailed().isEmpty(), host.toString());
      // the host plan issued and installed the certificates; rotate them all once, no service yet
      Thread.sleep(1_100); // the instant is whole seconds: after the host plan's issue
      ProvisionCompleted installed =
          run(
              request(
                  "svc-1-" + newId(),
                  ProvisionMode.APPLY,
                  target,
                  options,
                  new ProvisionRequest.Rotate(Instant.now().truncatedTo(ChronoUnit.SECONDS))));
      assertEquals(ProvisionCompleted.Outcome.CHANGED, installed.outcome(), installed.toString());
      assertEquals(StepOutcome.SKIPPED, stepOf(installed, SERVICES).status(), "none installed");

      Path etc = Path.of(root + options.configDir().toString());
      Path etcPki = etc.resolve("pki");
      Path pkiRoot =
          StrongroomTestResource.provisionerSsh().stateDir().resolve("pki/127.0.0.1_" + port);
      String name = "provisioner-service";
      int uid = idOf(root.resolve("etc/passwd"), options.serviceUser());
      int gid = idOf(root.resolve("etc/group"), options.serviceUser());
      Path key = etcPki.resolve("clients/" + name + ".key");
      assertEquals(
          "rw-r-----",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(key)));
      assertEquals(0, Files.getAttribute(key, "unix:uid"));
      assertEquals(gid, Files.getAttribute(key, "unix:gid"));

      // the operator of that host: a certificate of the target's CA (its PKI has none), outside it
      PkiSpec.Builder withOperator = PkiSpec.builder();
      PkiSpec.DB_IDENTITIES.forEach(n -> withOperator.client(n, ClientKind.DB_IDENTITY));
      PkiSpec.SERVICES.forEach(n -> withOperator.client(n, ClientKind.SERVICE));
      withOperator.client("operator", ClientKind.OPERATOR).serverName("127.0.0.1");
      Path opDir = Files.createDirectories(base.resolve("operator"));
      Credential op =
          PkiDirectory.open(pkiRoot, withOperator.build()).issueAnother("operator", opDir);
      // a new SSL context per connection: a resumed TLS session would show the old certificate
      java.util.function.Supplier<javax.net.ssl.SSLContext> operator =
          new dev.strongroom.contracts.tls.TlsIdentity(
                  "operator", etcPki.resolve("ca/ca.pem"), op.certPem(), op.keyPem())
              ::sslContext;

      // the service user must reach its files under the root, as on a host (o+x: traverse only)
      Files.setPosixFilePermissions(
          stackDir,
          java.util.EnumSet.of(
              java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
              java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE,
              java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE));
      Files.setPosixFilePermissions(
          base, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
      // the throwaway root's etc was made by the plan's shell (umask 077); a host's /etc is 0755
      Files.setPosixFilePermissions(
          root.resolve("etc"),
          java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      int https = LoopbackPorts.free();
      svc = InstalledService.start(base, etc, name, https, "PT2S", uid, gid, operator);
      long pid = svc.pid();
      java.math.BigInteger first = currentSerial(pkiRoot, name);
      assertEquals(first, svc.servedSerial(), "serves its installed certificate at start");
      Path oldCert = Files.copy(etcPki.resolve("clients/" + name + ".pem"), base.resolve("o.pem"));
      Path oldKey = Files.copy(key, base.resolve("o.key"));

      Thread.sleep(1_100); // the instant is whole seconds: after the first issue's second
      Instant cutoff = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      ProvisionCompleted rotated;
      long rotateMs;
      try (RequestProbe probe = new RequestProbe(operator, https)) {
        probe.awaitOk(3);
        long t0 = System.nanoTime();
        rotated =
            run(
                request(
                    "svc-2-" + newId(),
                    ProvisionMode.APPLY,
                    target,
                    options,
                    new ProvisionRequest.Rotate(cutoff)));
        rotateMs = (System.nanoTime() - t0) / 1_000_000;
        probe.awaitOk(3);
        probe.stop();
        assertEquals(ProvisionCompleted.Outcome.CHANGED, rotated.outcome(), rotated.toString());
        ProvisionCompleted.Step services = stepOf(rotated, SERVICES);
        // the service checks its files every 2 s: on a slow machine it may have reloaded before the
        // step looked (UNCHANGED, nothing to wait for); otherwise the step saw the old serial and
        // waited (CHANGED). Either way it presents the new certificate below, from the same
        // process.
        assertTrue(
            services.status() == StepOutcome.CHANGED || services.status() == StepOutcome.UNCHANGED,
            services.toString());
        assertEquals(
            StepOutcome.CHANGED, stepOf(rotated, "revoke superseded").status(), rotated.toString());
        assertEquals(List.of(), probe.failures(), "requests that failed during the rotation");
        java.math.BigInteger now = currentSerial(pkiRoot, name);
        assertFalse(first.equals(now), "the PKI did not rotate the service's certificate");
        // what the check found on the target before the wait: the service's old serial
        if (services.status() == StepOutcome.CHANGED) {
          assertEquals(
              name + " presents serial " + first.toString(16) + ", not " + now.toString(16),
              services.detail());
        }
        assertEquals(now, svc.servedSerial(), "the service presents its new certificate");
        assertEquals(pid, svc.pid());
        assertTrue(svc.alive(), "the service stopped");
        assertTrue(
            svc.get("/q/metrics")
                .lines()
                .anyMatch(l -> l.startsWith("strongroom_tls_reloads_total") && !l.endsWith(" 0.0")),
            "strongroom_tls_reloads_total counts the reload");
        // the old certificate, now on the installed CRL, is refused by the service itself
        java.net.http.HttpResponse<String> old =
            new dev.strongroom.contracts.tls.TlsIdentity(
                    name, etcPki.resolve("ca/ca.pem"), oldCert, oldKey)
                .httpClient()
                .send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("https://127.0.0.1:" + https + "/q/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, old.statusCode(), old.body());
        assertTrue(old.body().contains("\"REVOKED\""), old.body());

        ProvisionCompleted again =
            run(
                request(
                    "svc-3-" + newId(),
                    ProvisionMode.APPLY,
                    target,
                    options,
                    new ProvisionRequest.Rotate(cutoff)));
        assertEquals(ProvisionCompleted.Outcome.NO_CHANGE, again.outcome(), again.toString());
        System.out.printf(
            "certificate rotation with a packaged service on the SSH target, %d steps: %d ms;"
                + " serial %s -> %s presented by pid %d (same process); requests on new"
                + " connections during it: %d answered 200 (%d shown the old serial, %d the new),"
                + " %d failed; the old certificate then: %d%n",
            rotated.steps().size(),
            rotateMs,
            first.toString(16),
            now.toString(16),
            pid,
            probe.ok(),
            probe.shown(first),
            probe.shown(now),
            probe.failures().size(),
            old.statusCode());
      }

      // a service that does not reload within the plan's wait: the rotation stops before revoking
      svc.stop();
      svc = InstalledService.start(base, etc, name, https, "PT1H", uid, gid, operator);
      java.math.BigInteger before = currentSerial(pkiRoot, name);
      assertEquals(before, svc.servedSerial());
      byte[] crl = Files.readAllBytes(etcPki.resolve("ca/crl.pem"));
      Thread.sleep(1_100);
      Instant slowCutoff = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      long t0 = System.nanoTime();
      ProvisionCompleted stuck =
          run(
              request(
                  "svc-4-" + newId(),
                  ProvisionMode.APPLY,
                  target,
                  options,
                  new ProvisionRequest.Rotate(slowCutoff)));
      long stuckMs = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(ProvisionCompleted.Outcome.FAILED, stuck.outcome(), stuck.toString());
      java.math.BigInteger after = currentSerial(pkiRoot, name);
      ProvisionCompleted.Failure f = stuck.errorIfFailed().orElseThrow();
      assertEquals(SERVICES, f.step(), f.toString());
      assertEquals(
          name
              + " presents serial "
              + before.toString(16)
              + ", not "
              + after.toString(16)
              + " after 30 s: nothing revoked yet; restart it (systemctl restart"
              + " strongroom-<service>) and apply again",
          f.detail());
      assertEquals(SERVICES, stuck.steps().get(stuck.steps().size() - 1).id(), stuck.toString());
      assertTrue(
          java.util.Arrays.equals(crl, Files.readAllBytes(etcPki.resolve("ca/crl.pem"))),
          "the installed CRL changed");
      assertEquals(before, svc.servedSerial(), "the slow service still presents its old one");

      // restarted, it reads its files: the same rotation now only revokes
      svc.stop();
      svc = InstalledService.start(base, etc, name, https, "PT2S", uid, gid, operator);
      assertEquals(after, svc.servedSerial());
      ProvisionCompleted resumed =
          run(
              request(
                  "svc-5-" + newId(),
                  ProvisionMode.APPLY,
                  target,
                  options,
                  new ProvisionRequest.Rotate(slowCutoff)));
      assertEquals(ProvisionCompleted.Outcome.CHANGED, resumed.outcome(), resumed.toString());
      assertEquals(StepOutcome.UNCHANGED, stepOf(resumed, SERVICES).status(), resumed.toString());
      assertEquals(
          StepOutcome.CHANGED, stepOf(resumed, "revoke superseded").status(), resumed.toString());
      assertFalse(
          java.util.Arrays.equals(crl, Files.readAllBytes(etcPki.resolve("ca/crl.pem"))),
          "the CRL was not installed");
      System.out.printf(
          "a service reloading every PT1H: the rotation failed after %d ms at %s: %s; CRL"
              + " unchanged; restarted, the same rotation revoked (%s)%n",
          stuckMs, f.step(), f.detail(), stepOf(resumed, "revoke superseded").detail());
    } finally {
      try {
        if (svc != null) {
          svc.stop();
        }
      } finally {
        Files.setPosixFilePermissions(stackDir, stackDirMode);
        emptyTree(root);
        TestInstances.deleteTree(base);
      }
    }
  }

  private static final String SERVICES = "services present the new certificates";

  private static ProvisionCompleted.Step stepOf(ProvisionCompleted c, String id) {
    return c.steps().stream()
        .filter(s -> s.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step " + id + " in " + c));
  }

  /** The serial of the PKI's current certificate of {@code name} (re-read from its files). */
  private static java.math.BigInteger currentSerial(Path pkiRoot, String name) {
    return PkiDirectory.open(pkiRoot, CertificatePlan.spec("127.0.0.1"))
        .client(name)
        .certificate()
        .getSerialNumber();
  }

  /** The numeric id of {@code name} in a passwd or group file. */
  private static int idOf(Path file, String name) throws java.io.IOException {
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split(":");
      if (f.length > 2 && f[0].equals(name)) {
        return Integer.parseInt(f[2]);
      }
    }
    throw new AssertionError("no " + name + " in " + file);
  }

  /**
   * A packaged Strongroom service installed on the target: {@code <etc>/<name>.env} written (mode
   * 0640 root:&lt;service group&gt;, the host bundle's tmpfiles rule) and read back the way
   * systemd's {@code EnvironmentFile=} does (one {@code KEY=VALUE} a line, {@code #} comments),
   * then the jar run with exactly that environment as the service user ({@code setpriv}, no
   * supplementary groups).
   */
  private static final class InstalledService {
    private final Process process;
    private final int port;
    private final java.util.function.Supplier<javax.net.ssl.SSLContext> operator;
    private final Path log;

    private InstalledService(
        Process process,
        int port,
        java.util.function.Supplier<javax.net.ssl.SSLContext> operator,
        Path log) {
      this.process = process;
      this.port = port;
      this.operator = operator;
      this.log = log;
    }

    static InstalledService start(
        Path base,
        Path etc,
        String name,
        int port,
        String reloadCheck,
        int uid,
        int gid,
        java.util.function.Supplier<javax.net.ssl.SSLContext> operator)
        throws Exception {
      Path work = base.resolve("service-" + name);
      Files.createDirectories(work.resolve("tmp"));
      // its event keys (it signs nothing here: it reaches no broker) as the service user's files
      Path registry =
          Files.copy(
              StrongroomTestResource.stack().keys().registryFile(),
              work.resolve("key-registry.json"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Path signing =
          Files.copy(
              StrongroomTestResource.stack().keys().keyFile(name),
              work.resolve("signing.key.pem"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Path pki = etc.resolve("pki");
      Map<String, String> config = new java.util.LinkedHashMap<>();
      config.putAll(
          new dev.strongroom.contracts.tls.TlsIdentity(
                  name,
                  pki.resolve("ca/ca.pem"),
                  pki.resolve("clients/" + name + ".pem"),
                  pki.resolve("clients/" + name + ".key"))
              .serviceConfig(port));
      config.remove("quarkus.http.test-ssl-port");
      config.put("strongroom.tls.crl", pki.resolve("ca/crl.pem").toString());
      config.put("strongroom.tls.reload-check", reloadCheck);
      config.put("kafka.bootstrap.servers", "127.0.0.1:" + LoopbackPorts.free());
      config.put("strongroom.events.key-registry", registry.toString());
      config.put("strongroom.events.signing-key", signing.toString());
      config.put("quarkus.log.file.path", work.resolve(name + ".log").toString());
      StringBuilder env = new StringBuilder("# " + name + " on this host\n");
      config.forEach(
          (k, v) ->
              env.append(k.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_"))
                  .append('=')
                  .append(v)
                  .append('\n'));
      Path envFile = etc.resolve(name + ".env");
      Files.writeString(envFile, env);
      Files.setPosixFilePermissions(
          envFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
      Files.setAttribute(envFile, "unix:gid", gid);
      try (var walk = Files.walk(work)) {
        for (Path p : walk.toList()) {
          Files.setAttribute(p, "unix:uid", uid);
          Files.setAttribute(p, "unix:gid", gid);
        }
      }

      ProcessBuilder pb =
          new ProcessBuilder(
              "setpriv",
              "--reuid=" + uid,
              "--regid=" + gid,
              "--clear-groups",
              "--",
              ProcessHandle.current().info().command().orElse("java"),
              "-Xmx192m",
              "-XX:TieredStopAtLevel=1",
              "-Djava.io.tmpdir=" + work.resolve("tmp"),
              "-jar",
              Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString());
      pb.environment().clear();
      pb.environment().put("PATH", "/usr/bin:/bin");
      pb.environment().put("HOME", work.toString());
      for (String line : Files.readAllLines(envFile)) { // as systemd's EnvironmentFile= reads it
        int eq = line.indexOf('=');
        if (!line.isBlank() && !line.startsWith("#") && eq > 0) {
          pb.environment().put(line.substring(0, eq).trim(), line.substring(eq + 1));
        }
      }
      pb.directory(work.toFile());
      Path out = base.resolve(name + "-" + reloadCheck + ".out");
      pb.redirectErrorStream(true).redirectOutput(out.toFile());
      InstalledService s = new InstalledService(pb.start(), port, operator, out);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        try {
          s.servedSerial();
          return s;
        } catch (java.io.IOException e) {
          if (!s.process.isAlive() || System.nanoTime() > deadline) {
            String tail = Files.exists(out) ? Files.readString(out) : "";
            s.stop();
            Process namei =
                new ProcessBuilder(
                        "namei", "-l", pki.resolve("clients/" + name + ".key").toString())
                    .redirectErrorStream(true)
                    .start();
            String modes =
                new String(namei.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            throw new AssertionError(
                name
                    + " installed on the target did not serve HTTPS on "
                    + port
                    + " (its key's path: "
                    + modes
                    + "): "
                    + tail,
                e);
          }
          Thread.sleep(300);
        }
      }
    }

    long pid() {
      return process.pid();
    }

    boolean alive() {
      return process.isAlive();
    }

    /** The serial presented on a new handshake at 127.0.0.1:port (as the operator). */
    java.math.BigInteger servedSerial() throws java.io.IOException {
      try (javax.net.ssl.SSLSocket socket =
          (javax.net.ssl.SSLSocket)
              operator.get().getSocketFactory().createSocket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
            .getSerialNumber();
      }
    }

    String get(String path) throws java.io.IOException {
      return RequestProbe.request(operator, port, path).body();
    }

    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      }
      process.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public String toString() {
      return "pid " + process.pid() + ", log " + log;
    }
  }

  /**
   * A client of the installed service: {@code GET /q/metrics} as the operator, each on a new
   * connection (a full TLS 1.3 handshake, mutual), one after the other until stopped; records the
   * serial each handshake was shown and every request that failed or was not answered 200.
   */
  private static final class RequestProbe implements AutoCloseable {
    record Answer(int status, java.math.BigInteger serial, String body) {}

    private final java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger ok =
        new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.ConcurrentHashMap<java.math.BigInteger, Integer> shown =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    RequestProbe(java.util.function.Supplier<javax.net.ssl.SSLContext> operator, int port) {
      thread =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    Answer a = request(operator, port, "/q/metrics");
                    shown.merge(a.serial(), 1, Integer::sum);
                    if (a.status() == 200) {
                      ok.incrementAndGet();
                    } else {
                      failures.add("answered " + a.status());
                    }
                  } catch (java.io.IOException | RuntimeException e) {
                    failures.add(e.toString());
                  }
                }
              },
              "installed-service-probe");
      thread.setDaemon(true);
      thread.start();
    }

    static Answer request(
        java.util.function.Supplier<javax.net.ssl.SSLContext> ctx, int port, String path)
        throws java.io.IOException {
      try (javax.net.ssl.SSLSocket socket =
          (javax.net.ssl.SSLSocket) ctx.get().getSocketFactory().createSocket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        java.math.BigInteger serial =
            ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
                .getSerialNumber();
        socket
            .getOutputStream()
            .write(
                ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        String all =
            new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        String status = all.lines().findFirst().orElse("");
        if (!status.startsWith("HTTP/1.1 ")) {
          throw new java.io.IOException("no HTTP answer: " + status);
        }
        int body = all.indexOf("\r\n\r\n");
        return new Answer(
            Integer.parseInt(status.substring(9, 12)),
            serial,
            body < 0 ? "" : all.substring(body + 4));
      }
    }

    void awaitOk(int more) throws InterruptedException {
      int target = ok.get() + more;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (ok.get() < target && System.nanoTime() < deadline && failures.isEmpty()) {
        Thread.sleep(50);
      }
    }

    int ok() {
      return ok.get();
    }

    int shown(java.math.BigInteger serial) {
      return shown.getOrDefault(serial, 0);
    }

    List<String> failures() {
      synchronized (failures) {
        return List.copyOf(failures);
      }
    }

    void stop() throws InterruptedException {
      stop.set(true);
      thread.join(30_000);
    }

    @Override
    public void close() {
      try {
        stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * At-rest key rotation through the service (issue 15): a real MariaDB on the SSH target's files
   * whose keys come from hashicorp_key_management reading a Vault KV v2 API (read-only token), the
   * service writing new versions with its own token from its configuration: plan (nothing written),
   * apply (four versions, every tablespace re-encrypted, progress per step, rows read back), the
   * same rotation again NO_CHANGE, the apply's retry recalled, and the command saying no change.
   */
  @Test
  void atRestKeyRotation_overEvents_everyTablespaceReencrypted_thenTheSameRotationChangesNothing()
      throws Exception {
    Path base = Files.createTempDirectory(Path.of("/tmp"), "sr-prov-akr-");
    Path root = StrongroomTestResource.provisionerTargetRoot();
    MariaDbInstance db = null;
    PkiDirectory stackPki = stack().pki();
    try (TestSshd sshd = new TestSshd(base);
        VaultKvV2TestServer vault =
            new VaultKvV2TestServer(
                stackPki.server(),
                StrongroomTestResource.provisionerVaultPort(),
                "strongroom",
                StrongroomTestResource.PROVISIONER_VAULT_TOKEN,
                1,
                2)) {
      vault.allow("s.server-reads", false);
      sshd.authorize(StrongroomTestResource.provisionerSsh().identityPublic());
      int port = sshd.startKeyOnly();
      pin(sshd.knownHostsLine(port));
      String target = "ssh://root@127.0.0.1:" + port;
      int dbPort = LoopbackPorts.free();
      HostOptions options = HostOptions.builder().dbPort(dbPort).build();
      db =
          MariaDbInstance.prepare(
              ServerSettings.builder(
                      Dialect.MARIADB_10_11,
                      new InstanceLayout(Path.of(root + options.dbLayout().base().toString())),
                      TlsFiles.of(stackPki))
                  .port(dbPort)
                  .bufferPoolMb(32)
                  .redoLogMb(16)
                  .maxConnections(30)
                  .maxUserConnections(10)
                  .vault(
                      new VaultKeyManagement(
                          vault.url(), "s.server-reads", stackPki.caCertPem(), 50))
                  .build(),
              MariaDbBinaries.debian());
      db.start();
      db.sql(
          "CREATE DATABASE IF NOT EXISTS kr; CREATE TABLE kr.t (id INT PRIMARY KEY, v"
              + " VARCHAR(40)); INSERT INTO kr.t VALUES (1, 'kept through the rotation')");
      Instant cutoff = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      ProvisionRequest.Rotate rotate = new ProvisionRequest.Rotate(cutoff);

      ProvisionCompleted planned =
          run(
              new ProvisionRequest(
                  "akr-plan-" + newId(),
                  ProvisionMode.PLAN,
                  target,
                  HostRequests.toRequest(options),
                  null,
                  rotate,
                  "ProvisionerServiceIT"));
      assertEquals(ProvisionCompleted.Outcome.WOULD_CHANGE, planned.outcome(), planned.toString());
      assertEquals(
          List.of("key management", "old versions kept", "new key versions", "re-encrypted"),
          planned.steps().stream().map(ProvisionCompleted.Step::id).toList());
      assertEquals(0, vault.writes());

      String applyId = "akr-apply-" + newId();
      ProvisionRequest apply =
          new ProvisionRequest(
              applyId,
              ProvisionMode.APPLY,
              target,
              HostRequests.toRequest(options),
              null,
              rotate,
              "ProvisionerServiceIT");
      long t0 = System.nanoTime();
      ProvisionCompleted applied = run(apply);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(ProvisionCompleted.Outcome.CHANGED, applied.outcome(), applied.toString());
      assertEquals(
          List.of(
              StepOutcome.UNCHANGED,
              StepOutcome.UNCHANGED,
              StepOutcome.CHANGED,
              StepOutcome.CHANGED),
          applied.steps().stream().map(ProvisionCompleted.Step::status).toList());
      assertEquals(4, vault.writes());
      assertEquals(
          List.of(List.of("1", "3")),
          db.sql(
                  "SELECT DISTINCT CURRENT_KEY_ID, MIN_KEY_VERSION"
                      + " FROM information_schema.INNODB_TABLESPACES_ENCRYPTION")
              .rows());
      assertEquals("kept through the rotation", db.sql("SELECT v FROM kr.t WHERE id = 1").scalar());
      List<ProvisionProgressed> progress = progressOf(applyId, 2 * applied.steps().size());
      assertEquals(
          List.of("key management", "key management", "old versions kept", "old versions kept"),
          progress.subList(0, 4).stream().map(ProvisionProgressed::step).toList());
      for (int i = 0; i < progress.size(); i++) {
        assertEquals(i, progress.get(i).seq());
      }

      ProvisionCompleted again =
          run(
              new ProvisionRequest(
                  "akr-again-" + newId(),
                  ProvisionMode.APPLY,
                  target,
                  HostRequests.toRequest(options),
                  null,
                  rotate,
                  "ProvisionerServiceIT"));
      assertEquals(ProvisionCompleted.Outcome.NO_CHANGE, again.outcome(), again.toString());
      assertEquals(4, vault.writes());

      ProvisionCompleted recalled = runNthOf(apply, 2);
      assertEquals(applied.runId(), recalled.runId());

      Path state = StrongroomTestResource.provisionerSsh().dir().getParent();
      Files.writeString(
          state.resolve("stack.json"),
          "{\"version\":1,\"kafka\":{\"bootstrap\":\""
              + stack().bootstrap()
              + "\",\"logDir\":\"/nonexistent\"},\"logs\":{\"dir\":\"/nonexistent\"}}");
      Cli cmd =
          cli(
              state,
              "provision",
              "--apply",
              target,
              "--db-port",
              Integer.toString(dbPort),
              "--rotate-at-rest-keys",
              "--issued-before",
              cutoff.toString());
      assertEquals(0, cmd.rc(), cmd.err());
      assertTrue(
          cmd.out().contains("rotating the at-rest key versions issued before " + cutoff),
          cmd.out());
      assertTrue(
          cmd.out()
              .contains(
                  "no change: "
                      + target
                      + " already matches its at-rest key versions issued from "
                      + cutoff
                      + " on (0 changed, 4 unchanged, 0 skipped)"),
          cmd.out());
      assertEquals(4, vault.writes());
      // the keys the service generated and its Vault token never reach its log
      List<String> secrets =
          new ArrayList<>(List.of(StrongroomTestResource.PROVISIONER_VAULT_TOKEN));
      for (int id : List.of(1, 2)) {
        for (int v : List.of(2, 3)) {
          secrets.add(
              CanonicalJson.parse(vault.stored(id, v).getBytes(StandardCharsets.UTF_8))
                  .get("data")
                  .asText());
        }
      }
      assertEquals(4, secrets.stream().filter(k -> k.matches("[0-9a-f]{64}")).count());
      assertTheLogHoldsNoSecret(secrets);
      System.out.printf(
          "at-rest key rotation over Kafka + SSH + Vault, %d steps: %d ms, %d versions written%n",
          applied.steps().size(), ms, vault.writes());
    } finally {
      try {
        if (db != null) {
          db.stop();
        }
      } finally {
        emptyTree(root);
        TestInstances.deleteTree(base);
      }
    }
  }

  /** Publishes {@code r} and returns the n-th completed result for its request id. */
  private ProvisionCompleted runNthOf(ProvisionRequest r, int nth) throws Exception {
    publish(r.target(), operatorSigned(r));
    return ProvisionCompleted.fromData(
        collect(
                rec ->
                    isType(rec, EventCatalog.PROVISION_COMPLETED)
                        && requestIdOf(rec).equals(r.requestId()),
                nth)
            .get(nth - 1));
  }

  private ProvisionCompleted run(ProvisionRequest r) throws Exception {
    publish(r.target(), operatorSigned(r));
    return ProvisionCompleted.fromData(
        collect(
                rec ->
                    isType(rec, EventCatalog.PROVISION_COMPLETED)
                        && requestIdOf(rec).equals(r.requestId()),
                1)
            .get(0));
  }

  private static ProvisionRequest request(
      String id,
      ProvisionMode mode,
      String target,
      HostOptions options,
      ProvisionRequest.Rotate rotate) {
    return new ProvisionRequest(
        id, mode, target, HostRequests.toRequest(options), rotate, "ProvisionerServiceIT");
  }

  private record Cli(int rc, String out, String err) {}

  /** Runs {@code ./strongroom ARGS} in this JVM with {@code --state}, capturing its output. */
  private static synchronized Cli cli(Path state, String... args) {
    java.io.PrintStream oldOut = System.out;
    java.io.PrintStream oldErr = System.err;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    try {
      System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
      List<String> all = new ArrayList<>(List.of("--state", state.toString()));
      all.addAll(List.of(args));
      int rc =
          new picocli.CommandLine(new dev.strongroom.devstack.cli.StrongroomCommand())
              .execute(all.toArray(String[]::new));
      return new Cli(
          rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void unreachableTarget_endsInAFailedResult_withTheReason() throws Exception {
    Path base = Files.createTempDirectory("sr-prov-ssh-");
    try (TestSshd sshd = new TestSshd(base)) {
      int dead = LoopbackPorts.free(); // pinned, but nothing listens there
      pin(sshd.knownHostsLine(dead));
      String target = "ssh://root@127.0.0.1:" + dead;
      ProvisionCompleted c = run("dead-" + newId(), ProvisionMode.APPLY, target);
      assertEquals(ProvisionCompleted.Outcome.FAILED, c.outcome());
      ProvisionCompleted.Failure e = c.errorIfFailed().orElseThrow();
      assertEquals("UNAVAILABLE", e.code());
      assertTrue(e.detail().startsWith("cannot connect to " + target + ": "), e.detail());
      assertTrue(c.steps().isEmpty(), c.steps().toString());
    }
  }

  @Test
  void forgedUnsignedAndUnservableRequests_areDeadLettered_withTheReason() throws Exception {
    ProvisionRequest request = request("bad-" + newId(), ProvisionMode.APPLY, "ssh://root@x");

    // signed by a key that may not ask for provisioning (the demo application's)
    byte[] foreign =
        demoSigner(Clock.systemUTC())
            .sign(EventCatalog.PROVISION_REQUESTED, null, request.toData())
            .bytes();
    assertDeadLettered(
        foreign,
        "SIGNATURE_INVALID",
        d -> d.contains("dev.strongroom.provision.requested.v1") || d.contains("source"));

    // no signature at all
    ObjectNode unsigned = (ObjectNode) CanonicalJson.parse(operatorSigned(request));
    unsigned.remove("sig");
    assertDeadLettered(CanonicalJson.canonicalize(unsigned), "MALFORMED", d -> d.contains("sig"));

    // well signed, but for a target with no pinned host key: refused, never learned
    String unpinned = "ssh://root@127.0.0.1:" + LoopbackPorts.free();
    assertDeadLettered(
        operatorSigned(request("nopin-" + newId(), ProvisionMode.APPLY, unpinned)),
        "REFUSED",
        d -> d.contains("no host key pinned for " + unpinned));

    // well signed, but options the bundle refuses (a DB port opened to nobody)
    ProvisionRequest remote =
        new ProvisionRequest(
            "remote-" + newId(),
            ProvisionMode.PLAN,
            unpinned,
            remoteWithoutCidrs(HostRequests.toRequest(HostOptions.builder().build())),
            null);
    assertDeadLettered(
        operatorSigned(remote), "SCHEMA", d -> d.contains("allow-remote needs at least one"));

    // the local target is not enabled on this provisioner
    assertDeadLettered(
        operatorSigned(request("local-" + newId(), ProvisionMode.PLAN, "local")),
        "REFUSED",
        d -> d.contains("the local target is not enabled"));
  }

  private void assertDeadLettered(byte[] value, String reason, Predicate<String> detail)
      throws Exception {
    RecordMetadata sent = publish("dead-letter-test", value);
    ConsumerRecord<byte[], byte[]> dead =
        await(
            Topics.dlq(Topics.PROVISION_REQUESTS),
            r ->
                header(r, DeadLetterHeaders.OFFSET).equals(Long.toString(sent.offset()))
                    && header(r, DeadLetterHeaders.PARTITION)
                        .equals(Integer.toString(sent.partition())));
    String d = header(dead, DeadLetterHeaders.DETAIL);
    assertEquals(reason, header(dead, DeadLetterHeaders.REASON), d);
    assertTrue(detail.test(d), d);
  }

  private static ProvisionRequest.Host remoteWithoutCidrs(ProvisionRequest.Host h) {
    return new ProvisionRequest.Host(
        true,
        List.of(),
        h.dialect(),
        h.sshPort(),
        h.dbPort(),
        h.serviceUser(),
        h.dbUser(),
        h.installDir(),
        h.configDir(),
        h.stateDir(),
        h.logDir(),
        h.maxRetry(),
        h.findTime(),
        h.banTime(),
        h.verifyAuditEvery());
  }

  private static void emptyTree(Path root) throws java.io.IOException {
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!p.equals(root)) {
          Files.delete(p);
        }
      }
    }
  }

  /** Adds a pin to the service's known_hosts (re-read for every request). */
  private static void pin(String line) throws Exception {
    Files.writeString(
        StrongroomTestResource.provisionerSsh().knownHosts(), line, StandardOpenOption.APPEND);
  }

  private static ProvisionRequest request(String id, ProvisionMode mode, String target) {
    return new ProvisionRequest(
        id,
        mode,
        target,
        HostRequests.toRequest(HostOptions.builder().build()),
        "ProvisionerServiceIT");
  }

  private byte[] operatorSigned(ProvisionRequest r) {
    EventSigner operator =
        new EventSigner(stack().keys().key("operator"), "/strongroom/devstack", Clock.systemUTC());
    return operator.sign(EventCatalog.PROVISION_REQUESTED, null, r.toData()).bytes();
  }

  private ProvisionCompleted run(String id, ProvisionMode mode, String target) throws Exception {
    return runNth(id, mode, target, 1);
  }

  /** Publishes a request and returns the n-th completed result for its request id. */
  private ProvisionCompleted runNth(String id, ProvisionMode mode, String target, int nth)
      throws Exception {
    publish(target, operatorSigned(request(id, mode, target)));
    List<JsonNode> done =
        collect(r -> isType(r, EventCatalog.PROVISION_COMPLETED) && requestIdOf(r).equals(id), nth);
    return ProvisionCompleted.fromData(done.get(nth - 1));
  }

  private List<ProvisionProgressed> progressOf(String id, int n) {
    return collect(
            r -> isType(r, EventCatalog.PROVISION_PROGRESSED) && requestIdOf(r).equals(id), n)
        .stream()
        .map(ProvisionProgressed::fromData)
        .toList();
  }

  private static boolean isType(
      ConsumerRecord<byte[], byte[]> r, dev.strongroom.contracts.schema.EventType t) {
    return CanonicalJson.parse(r.value()).path("type").asText().equals(t.type());
  }

  private static String requestIdOf(ConsumerRecord<byte[], byte[]> r) {
    return CanonicalJson.parse(r.value()).path("data").path("requestId").asText();
  }

  /** Publishes as the ops-dispatch identity, the operator tool that may write requests. */
  private RecordMetadata publish(String key, byte[] value) throws Exception {
    String writer = KafkaAccessPolicy.externalWriterOf(Topics.PROVISION_REQUESTS).orElseThrow();
    assertEquals("ops-dispatch", writer);
    Properties p = new Properties();
    p.putAll(stack().kafka(writer));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      return producer
          .send(
              new ProducerRecord<>(
                  Topics.PROVISION_REQUESTS, key.getBytes(StandardCharsets.UTF_8), value))
          .get();
    }
  }

  /**
   * Reads {@code provision.events} from the start as the operator until {@code n} records match;
   * returns their verified data, each checked to be signed by the provisioner-service.
   */
  private List<JsonNode> collect(Predicate<ConsumerRecord<byte[], byte[]>> match, int n) {
    Properties p = new Properties();
    p.putAll(stack().kafka("operator"));
    p.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaAccessPolicy.groupFor("operator", newId()));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<JsonNode> seen = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.PROVISION_EVENTS));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          if (match.test(r)) {
            Verdict v =
                downstreamVerifier()
                    .verify(r.value(), new RecordCoordinates(r.topic(), r.partition(), r.offset()));
            Verdict.Accepted ok = assertInstanceOf(Verdict.Accepted.class, v, v.toString());
            assertEquals("/strongroom/provisioner-service", ok.event().source());
            seen.add(ok.event().data());
            if (seen.size() == n) {
              return seen;
            }
          }
        }
      }
    }
    throw new AssertionError(
        "only " + seen.size() + " of " + n + " matching events within " + WAIT.toSeconds() + " s");
  }
}
