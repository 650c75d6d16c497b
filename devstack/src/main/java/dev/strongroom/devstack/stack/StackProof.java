package dev.strongroom.devstack.stack;

import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.proof.pipeline.PipelineProbe;
import dev.strongroom.proof.run.AnchoredLog;
import dev.strongroom.proof.run.DbTarget;
import dev.strongroom.proof.run.HostFacts;
import dev.strongroom.proof.run.ProofContext;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.proof.run.ProofRunner;
import dev.strongroom.proof.run.StandardCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs the standard catalogue against a stack as {@code stack.json} describes it (what {@code
 * prove} and the demo's last step run): the database ({@code db.*}), the tenant authority of the
 * stack's keys, the anchored audit log ({@code worm.*}, {@code audit.verifierKey}), the pipeline
 * (Kafka and the services, {@link KafkaPipelineProbe}) and the host target (this host, or {@code
 * prove --host ssh://…}).
 */
public final class StackProof {
  private StackProof() {}

  /**
   * One run; the scratch directory (probe keys and output) is removed afterwards. The pipeline
   * controls attack the stack's Kafka and services with the identities {@code launcher} holds.
   */
  public static ProofReport run(StackLauncher launcher, StackDescriptor stack, DevKeys keys)
      throws IOException {
    return run(launcher, stack, keys, HostFacts.detect());
  }

  /**
   * One run whose host controls measure {@code host} (this machine, or an SSH target and the root
   * the host bundle was applied under there; {@code prove --host}).
   */
  public static ProofReport run(
      StackLauncher launcher, StackDescriptor stack, DevKeys keys, HostFacts host)
      throws IOException {
    Path scratch = Files.createTempDirectory(Path.of("/tmp"), "sr-prove-");
    Optional<KafkaPipelineProbe> pipeline = KafkaPipelineProbe.of(launcher, stack, keys);
    try {
      ProofContext ctx =
          new ProofContext(
              stack.db().map(StackProof::target),
              Optional.of(keys.tenantTokens(Clock.systemUTC())),
              anchoredLog(stack),
              pipeline.map(PipelineProbe.class::cast),
              host,
              scratch,
              Clock.systemUTC());
      return new ProofRunner(StandardCatalogue.create()).run(ctx);
    } finally {
      pipeline.ifPresent(KafkaPipelineProbe::close);
      try (Stream<Path> s = Files.walk(scratch)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The proof target of {@code stack.json}'s {@code db.*}. */
  public static DbTarget target(StackDescriptor.Db d) {
    Map<String, DbTarget.CertKey> ids = new LinkedHashMap<>();
    d.identities().forEach((n, ck) -> ids.put(n, new DbTarget.CertKey(ck.cert(), ck.key())));
    return new DbTarget(
        d.host(),
        d.port(),
        Optional.of(d.socket()),
        d.dialect(),
        d.database(),
        Optional.of(d.dataDir()),
        d.caCert(),
        ids);
  }

  /**
   * The anchored audit log of {@code stack.json} ({@code worm.*}, {@code audit.verifierKey}) for
   * SR-DB-AUD-04; empty (the control is then not-applicable) without them, or for a store this
   * command cannot read ({@code gcs}: verify it where the bucket is reachable).
   */
  public static Optional<AnchoredLog> anchoredLog(StackDescriptor stack) {
    if (stack.worm().isEmpty()
        || stack.audit().isEmpty()
        || !stack.worm().get().kind().equals("local-dir")) {
      return Optional.empty();
    }
    return Optional.of(
        AnchoredLog.localDir(
            Path.of(stack.worm().get().location()), stack.audit().get().verifierKey()));
  }
}
