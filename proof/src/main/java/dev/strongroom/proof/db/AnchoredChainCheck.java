package dev.strongroom.proof.db;

import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.verify.AuditLogVerifier;
import dev.strongroom.proof.check.Outcome;
import dev.strongroom.proof.run.AnchoredLog;
import dev.strongroom.proof.run.DbTarget;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * SR-DB-AUD-04: what {@code ./strongroom verify-audit} does (DESIGN §5), as a control. {@link
 * AuditLogVerifier} checks every stored checkpoint of the anchored log against the log key, their
 * consistency, the newest one's tiles, and the database's chain, read as {@code auditor} over TLS
 * 1.3, re-hashed from genesis into the anchored entries. It passes when all of that holds and at
 * least one checkpoint exists; it fails with the verifier's {@code DIVERGED at seq <n>: <why>}, or
 * when nothing was ever anchored (DESIGN §6.7: a checkpoint leaves the host every interval).
 */
final class AnchoredChainCheck {
  private AnchoredChainCheck() {}

  static Outcome run(DbProbe p) throws SQLException {
    Optional<AnchoredLog> log = p.context().anchoredLog();
    if (log.isEmpty()) {
      return Outcome.notApplicable(
          "the target names no anchored audit log (a WORM store and the log's verifier key:"
              + " stack.json worm.* and audit.verifierKey), so there are no anchors to verify the"
              + " chain against");
    }
    DbTarget db = p.db();
    DbTarget.CertKey auditor = db.identity("auditor");
    AnchoredLog a = log.get();
    Instant t0 = p.evidence().now();
    AuditLogVerifier.Report r;
    String action;
    try (AuditorJdbc jdbc =
            new AuditorJdbc(
                new AuditorJdbc.Config(
                    db.host(), db.port(), "auditor", db.caCert(), auditor.cert(), auditor.key()));
        Connection c = jdbc.connect()) {
      action =
          "verify-audit: the checkpoints "
              + AuditLogVerifier.checkpointPrefix(a.key().name())
              + "* of "
              + a.location()
              + " under the log key "
              + a.key().name()
              + ", and the chain read as auditor from "
              + jdbc.url()
              + " (TLS 1.3, client certificate "
              + auditor.cert()
              + ")";
      r = AuditLogVerifier.verify(a.store(), a.key(), c);
    }
    p.evidence().add("auditor", action, t0, r.ok() ? 0 : 1, r.line());
    if (!r.ok()) {
      return Outcome.fail(r.line());
    }
    if (r.checkpoints() == 0) {
      return Outcome.fail(
          "no checkpoint of "
              + a.key().name()
              + " in "
              + a.location()
              + ": the chain ("
              + r.events()
              + " events) is not anchored");
    }
    return Outcome.pass(r.line() + ", " + r.anchored() + " events anchored");
  }
}
