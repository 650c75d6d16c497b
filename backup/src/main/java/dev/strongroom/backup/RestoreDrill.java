package dev.strongroom.backup;

import dev.strongroom.audit.chain.ChainRow;
import dev.strongroom.audit.checkpoint.Checkpoint;
import dev.strongroom.audit.tail.AuditorJdbc;
import dev.strongroom.audit.tail.ChainTail;
import dev.strongroom.audit.tail.TailStateFile;
import dev.strongroom.audit.tree.MerkleTree;
import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.aead.AesGcmHkdfFieldCipher;
import dev.strongroom.crypto.aead.EncryptedField;
import dev.strongroom.crypto.aead.FieldContext;
import dev.strongroom.crypto.kms.DataKeyWrapContext;
import dev.strongroom.crypto.kms.WrappedKey;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.MariaDbInstance;
import dev.strongroom.provisioner.db.ServerSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The restore drill (docs/runbook-backup.md): restores the newest backup into a throwaway instance
 * and proves the restore is whole, step by step, each timed:
 *
 * <ol>
 *   <li>{@code restore}: the backup verified (signature, every part's SHA-256) and loaded into a
 *       fresh hardened instance ({@link Restorer});
 *   <li>{@code row-counts}: every table holds the rows the manifest lists;
 *   <li>{@code audit-chain}: the chain re-verified from genesis, read as {@code auditor} over TLS
 *       1.3 (so the restored grants and certificates are exercised too), every hash recomputed in
 *       Java; its size and head equal the manifest's;
 *   <li>{@code audit-root}: the RFC 6962 root of the restored log equals the manifest's {@code
 *       audit.root};
 *   <li>{@code anchor}: the restored log's root at the size of the largest checkpoint the audit
 *       plane anchored at or below it equals that checkpoint's root ({@code not-applicable} when no
 *       anchored checkpoint is available);
 *   <li>{@code decrypt-sample}: records drawn at random have their data key unwrapped by the KMS
 *       and every stored field decrypted through the crypto library (the AAD rebuilt from tenant,
 *       record, field and version, as a reader does).
 * </ol>
 *
 * <p>RTO is the time from the start of the restore to the end of the last check; RPO is the age of
 * the restored backup's snapshot when the drill started (the data a loss at that moment would cost
 * without the binary logs written since).
 */
public final class RestoreDrill {
  /** A step's outcome; the wire names are lower case. */
  public enum Status {
    PASS,
    FAIL,
    NOT_APPLICABLE;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** One step of the drill. */
  public record Step(String name, Status status, String detail, Duration took) {}

  /** The drill's outcome. */
  public record Report(
      Optional<String> backupId,
      Optional<Instant> snapshotAt,
      Instant started,
      List<Step> steps,
      Duration rto,
      Optional<Duration> rpo) {
    public Report {
      steps = List.copyOf(steps);
    }

    /** No step failed. */
    public boolean passed() {
      return steps.stream().noneMatch(s -> s.status() == Status.FAIL);
    }
  }

  /**
   * The auditor's TLS login to the restored instance (its port is known only once it runs): the
   * stack CA and the auditor's certificate and key, PEM.
   */
  public record AuditorLogin(Path caCertPem, Path certPem, Path keyPem) {}

  /**
   * A further check of the restored, running instance (e.g. the proof plane's database controls),
   * run after the drill's own; it returns its step and must not throw.
   */
  @FunctionalInterface
  public interface ExtraCheck {
    Step check(MariaDbInstance restored);
  }

  /**
   * What the drill checks against, besides the backup itself: how many records to decrypt, the
   * anchored checkpoints (empty where the audit plane anchors none) and further checks.
   */
  public record Options(
      int sampleSize, Optional<AnchoredCheckpoints> anchors, List<ExtraCheck> extraChecks) {
    public Options {
      if (sampleSize < 0) {
        throw new IllegalArgumentException("sampleSize must not be negative");
      }
      extraChecks = List.copyOf(extraChecks);
    }

    public Options(int sampleSize, Optional<AnchoredCheckpoints> anchors) {
      this(sampleSize, anchors, List.of());
    }
  }

  private static final String DATA = dev.strongroom.provisioner.schema.SchemaInstaller.DATA_SCHEMA;
  private static final List<String> FIELDS = List.of("name", "role", "email", "phone");
  private static final int SCHEMA_VERSION = 1;

  private final Restorer restorer;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public RestoreDrill(Restorer restorer, Clock clock) {
    this.restorer = restorer;
    this.clock = clock;
  }

  /**
   * Runs the drill on the newest backup in {@code store}, restoring into {@code scratch} (a fresh
   * directory); the instance is stopped at the end, its files left for the caller to remove. {@code
   * progress} sees each step as it finishes.
   */
  public Report run(
      BackupStore store,
      BackupKeys keys,
      ServerSettings scratch,
      AuditorLogin auditor,
      Options options,
      Consumer<Step> progress) {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    List<Step> steps = new ArrayList<>();
    Consumer<Step> add =
        s -> {
          steps.add(s);
          progress.accept(s);
        };
    Restorer.Restored restored;
    long s0 = System.nanoTime();
    try {
      restored =
          restorer.restore(
              store, keys, new Restorer.Request(Optional.empty(), Optional.empty()), scratch);
    } catch (BackupException e) {
      add.accept(
          new Step(
              "restore",
              Status.FAIL,
              e.reason() + e.part().map(p -> " (" + p + ")").orElse("") + ": " + e.getMessage(),
              since(s0)));
      return new Report(
          Optional.empty(), Optional.empty(), started, steps, since(t0), Optional.empty());
    }
    try (restored) {
      Manifest m = restored.base();
      add.accept(
          new Step(
              "restore",
              Status.PASS,
              "backup " + m.backupId() + " verified and loaded into " + scratch.layout().base(),
              since(s0)));
      add.accept(rowCounts(m, restored));
      s0 = System.nanoTime();
      MerkleTree tree = null;
      try {
        List<String> hashes = chain(restored.instance(), auditor, scratch.layout().base());
        tree = AuditLogRoot.tree(hashes);
        add.accept(chainStep(m, hashes, since(s0)));
      } catch (RuntimeException e) {
        add.accept(new Step("audit-chain", Status.FAIL, e.getMessage(), since(s0)));
      }
      add.accept(rootStep(m, tree));
      add.accept(anchorStep(options.anchors(), tree));
      add.accept(decryptSample(restored.instance(), keys, options.sampleSize()));
      for (ExtraCheck x : options.extraChecks()) {
        add.accept(x.check(restored.instance()));
      }
      Duration rto = since(t0);
      return new Report(
          Optional.of(m.backupId()),
          Optional.of(m.finishedAt()),
          started,
          steps,
          rto,
          Optional.of(Duration.between(m.finishedAt(), started)));
    }
  }

  private static Step rowCounts(Manifest m, Restorer.Restored r) {
    long s0 = System.nanoTime();
    List<String> diff = new ArrayList<>();
    long total = 0;
    for (Map.Entry<String, Long> e : m.tables().entrySet()) {
      long got = r.rows().getOrDefault(e.getKey(), -1L);
      total += Math.max(0, got);
      if (got != e.getValue()) {
        diff.add(e.getKey() + " holds " + got + ", manifest " + e.getValue());
      }
    }
    return diff.isEmpty()
        ? new Step(
            "row-counts",
            Status.PASS,
            m.tables().size() + " tables, " + total + " rows, as the manifest lists",
            since(s0))
        : new Step("row-counts", Status.FAIL, String.join("; ", diff), since(s0));
  }

  /** The chain's curr_hash values in seq order, verified from genesis as the auditor. */
  private static List<String> chain(MariaDbInstance db, AuditorLogin login, Path base) {
    Path stateDir = BackupWriter.privateDir(base.resolve("drill-tail"));
    AuditorJdbc jdbc =
        new AuditorJdbc(
            new AuditorJdbc.Config(
                "127.0.0.1",
                db.port(),
                "auditor",
                login.caCertPem(),
                login.certPem(),
                login.keyPem()));
    try (jdbc;
        Connection c = jdbc.connect()) {
      ChainTail tail = new ChainTail(new TailStateFile(stateDir.resolve("tail-state")), 10_000);
      List<String> hashes = new ArrayList<>();
      while (true) {
        ChainTail.Poll p = tail.poll(c, 100_000);
        for (ChainRow r : p.verified()) {
          hashes.add(r.currHash());
        }
        if (!p.ok()) {
          throw new IllegalStateException(p.divergence().toString());
        }
        if (p.verified().isEmpty()) {
          return hashes;
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the restored chain as auditor: " + e.getMessage(), e);
    } finally {
      BackupWriter.deleteTree(stateDir);
    }
  }

  private static Step chainStep(Manifest m, List<String> hashes, Duration took) {
    String head = hashes.isEmpty() ? null : hashes.get(hashes.size() - 1);
    if (hashes.size() != m.auditSize()) {
      return new Step(
          "audit-chain",
          Status.FAIL,
          "the restored chain has "
              + hashes.size()
              + " rows, the manifest "
              + m.auditSize()
              + " (verified from genesis up to seq "
              + hashes.size()
              + ")",
          took);
    }
    if (!java.util.Objects.equals(head, m.auditHead().orElse(null))) {
      return new Step(
          "audit-chain",
          Status.FAIL,
          "the restored head " + head + " is not the manifest's " + m.auditHead().orElse("(none)"),
          took);
    }
    return new Step(
        "audit-chain",
        Status.PASS,
        hashes.size() + " rows verified from genesis as auditor, head " + head,
        took);
  }

  private static Step rootStep(Manifest m, MerkleTree tree) {
    long s0 = System.nanoTime();
    if (tree == null) {
      return new Step(
          "audit-root", Status.FAIL, "no verified chain to build the tree from", since(s0));
    }
    if (m.auditRoot().isEmpty()) {
      return tree.size() == 0
          ? new Step("audit-root", Status.PASS, "empty log, no root recorded", since(s0))
          : new Step(
              "audit-root",
              Status.NOT_APPLICABLE,
              "the manifest records no root (a backup made before audit.root existed)",
              since(s0));
    }
    String root = AuditLogRoot.root(tree, tree.size());
    return root.equals(m.auditRoot().get())
        ? new Step(
            "audit-root",
            Status.PASS,
            "RFC 6962 root at size " + tree.size() + " = manifest's " + root,
            since(s0))
        : new Step(
            "audit-root",
            Status.FAIL,
            "root at size " + tree.size() + " is " + root + ", manifest " + m.auditRoot().get(),
            since(s0));
  }

  private static Step anchorStep(Optional<AnchoredCheckpoints> anchors, MerkleTree tree) {
    long s0 = System.nanoTime();
    if (anchors.isEmpty()) {
      return new Step(
          "anchor",
          Status.NOT_APPLICABLE,
          "no anchored checkpoints to compare with: the stack names no audit verifier key",
          since(s0));
    }
    if (tree == null) {
      return new Step("anchor", Status.FAIL, "no verified chain to compare", since(s0));
    }
    Optional<Checkpoint> c;
    try {
      c = anchors.get().largestAtMost(tree.size());
    } catch (RuntimeException e) {
      return new Step("anchor", Status.FAIL, e.getMessage(), since(s0));
    }
    if (c.isEmpty()) {
      return new Step(
          "anchor",
          Status.NOT_APPLICABLE,
          "no checkpoint at or below size " + tree.size() + " in " + anchors.get().describe(),
          since(s0));
    }
    String anchored = Base64.getEncoder().encodeToString(c.get().root());
    String ours = AuditLogRoot.root(tree, c.get().size());
    return anchored.equals(ours)
        ? new Step(
            "anchor",
            Status.PASS,
            "the restored log at size " + c.get().size() + " has the anchored root " + anchored,
            since(s0))
        : new Step(
            "anchor",
            Status.FAIL,
            "the restored log at size "
                + c.get().size()
                + " has root "
                + ours
                + ", the anchored checkpoint "
                + anchored,
            since(s0));
  }

  private Step decryptSample(MariaDbInstance db, BackupKeys keys, int n) {
    long s0 = System.nanoTime();
    if (n == 0) {
      return new Step("decrypt-sample", Status.NOT_APPLICABLE, "sample size 0", since(s0));
    }
    StringBuilder cols = new StringBuilder();
    for (String f : FIELDS) {
      cols.append(", HEX(u.").append(f).append("_ct), HEX(u.").append(f).append("_iv)");
    }
    ClientResult r =
        db.sql(
            "SELECT u.record_id, u.tenant_id, u.dek_id, HEX(k.wrapped_dek), k.kms_key_name,"
                + " k.kms_key_version"
                + cols
                + " FROM "
                + DATA
                + ".users u JOIN "
                + DATA
                + ".data_keys k ON k.dek_id = u.dek_id AND k.tenant_id = u.tenant_id"
                + " ORDER BY RAND() LIMIT "
                + n);
    if (!r.ok()) {
      return new Step(
          "decrypt-sample", Status.FAIL, "cannot read records: " + r.stderr().strip(), since(s0));
    }
    List<List<String>> rows = r.rows();
    if (rows.isEmpty()) {
      return new Step(
          "decrypt-sample", Status.NOT_APPLICABLE, "the backup holds no record", since(s0));
    }
    HexFormat hex = HexFormat.of();
    Map<String, DataKey> deks = new TreeMap<>();
    int fields = 0;
    try {
      for (List<String> row : rows) {
        String recordId = row.get(0);
        String tenant = row.get(1);
        String dekId = row.get(2);
        DataKey dek = deks.get(dekId);
        if (dek == null) {
          dek =
              keys.kms()
                  .unwrap(
                      WrappedKey.of(row.get(4), row.get(5), hex.parseHex(row.get(3))),
                      dekId,
                      DataKeyWrapContext.encode(tenant, dekId));
          deks.put(dekId, dek);
        }
        AesGcmHkdfFieldCipher cipher = AesGcmHkdfFieldCipher.create(dek, random);
        for (int i = 0; i < FIELDS.size(); i++) {
          String ct = row.get(6 + 2 * i);
          if (ct == null || ct.isEmpty() || ct.equals("NULL")) {
            continue;
          }
          FieldContext ctx =
              FieldContext.builder()
                  .tenantId(tenant)
                  .recordId(recordId)
                  .fieldName(FIELDS.get(i))
                  .schemaVersion(SCHEMA_VERSION)
                  .dataKeyId(dekId)
                  .build();
          try {
            cipher.decrypt(
                EncryptedField.of(hex.parseHex(ct), hex.parseHex(row.get(7 + 2 * i))), ctx);
          } catch (RuntimeException e) {
            return new Step(
                "decrypt-sample",
                Status.FAIL,
                "record " + recordId + " field " + FIELDS.get(i) + ": invalid ciphertext",
                since(s0));
          }
          fields++;
        }
      }
    } catch (RuntimeException e) {
      return new Step(
          "decrypt-sample",
          Status.FAIL,
          "a data key does not unwrap through " + keys.kms().keyName() + ": " + e.getMessage(),
          since(s0));
    } finally {
      deks.values().forEach(DataKey::destroy);
    }
    return new Step(
        "decrypt-sample",
        Status.PASS,
        rows.size()
            + " records drawn at random, "
            + fields
            + " fields decrypted under "
            + deks.size()
            + " data keys unwrapped by "
            + keys.kms().keyName(),
        since(s0));
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
