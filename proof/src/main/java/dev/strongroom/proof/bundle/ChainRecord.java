package dev.strongroom.proof.bundle;

import dev.strongroom.proof.check.Status;
import dev.strongroom.proof.run.DbTarget;
import dev.strongroom.proof.run.ProofReport;
import dev.strongroom.provisioner.db.ClientConnection;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbClient;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Puts a written bundle on the audit chain: {@code strongroom_audit.audit_evidence_append} records
 * its manifest digest with the run's id, tool and catalogue versions, target, failed-control count
 * and end time, and writes the audit event for it in the same transaction; the stack's sealer
 * chains the event and the next checkpoint anchors it, so an assessor can show that a bundle
 * existed at that point and was not made up later (docs/proof.md, "The evidence on the chain").
 *
 * <p>Runs as {@code auditor} over TLS 1.3 with the stock client, like the database checks. The
 * procedure re-validates every field; a value this class would have to escape is refused here first
 * (digest, run id and versions are plain ASCII, the target never holds a quote or backslash).
 */
public final class ChainRecord {
  /** The identity that may call the procedure (06-audit-grants.sql). */
  public static final String IDENTITY = "auditor";

  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern SAFE = Pattern.compile("[^'\\\\\\x00-\\x1f]{1,512}");
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  /**
   * What the procedure answered: {@code recorded} false when this digest was already recorded with
   * the same fields (a retried call); {@code eventId} the audit event it wrote.
   */
  public record Recorded(boolean recorded, OptionalLong eventId) {}

  private final MariaDbClient client;

  public ChainRecord(MariaDbClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /** With Debian's {@code mariadb} client. */
  public static ChainRecord withDebianClient() {
    return new ChainRecord(new MariaDbClient(MariaDbBinaries.debian().client()));
  }

  /**
   * Records {@code manifestSha256} (the bundle of {@code report}) on {@code db}'s audit chain.
   *
   * @throws BundleException naming the server's refusal ({@code SR-…}) or the client's failure
   */
  public Recorded record(DbTarget db, ProofReport report, String manifestSha256) {
    String sql =
        "CALL strongroom_audit.audit_evidence_append("
            + String.join(
                ", ",
                literal(manifestSha256, HEX64, "manifest digest"),
                literal(report.runId(), SAFE, "run id"),
                literal(report.toolVersion(), SAFE, "tool version"),
                literal(report.catalogueVersion(), SAFE, "catalogue version"),
                literal(report.target(), SAFE, "target"),
                Long.toString(failed(report)),
                "'" + MICROS.format(report.finished().truncatedTo(ChronoUnit.MICROS)) + "'")
            + ")";
    DbTarget.CertKey ck = db.identity(IDENTITY);
    ClientConnection as =
        ClientConnection.tcp(db.port(), IDENTITY)
            .tls(db.caCert(), ck.cert(), ck.key())
            .tlsVersion("TLSv1.3");
    ClientResult r = client.execute(as, sql);
    if (!r.ok()) {
      throw new BundleException(
          "the bundle "
              + manifestSha256
              + " was not recorded on the audit chain: "
              + r.error().map(Object::toString).orElse(r.stderr().strip()),
          null);
    }
    List<List<String>> rows = r.rows();
    if (rows.size() != 1 || rows.get(0).size() != 2) {
      throw new BundleException("unexpected answer from audit_evidence_append: " + rows);
    }
    boolean recorded = rows.get(0).get(0).equals("1");
    String id = rows.get(0).get(1);
    return new Recorded(
        recorded, recorded ? OptionalLong.of(Long.parseLong(id)) : OptionalLong.empty());
  }

  /** Controls that failed or erred (a waived control counts as what the waiver made it). */
  static long failed(ProofReport report) {
    return report.results().stream()
        .filter(c -> c.status() == Status.FAIL || c.status() == Status.ERROR)
        .count();
  }

  private static String literal(String value, Pattern allowed, String what) {
    if (value == null || !allowed.matcher(value).matches()) {
      throw new BundleException("refusing to record a " + what + " of that form: " + value);
    }
    return "'" + value + "'";
  }
}
