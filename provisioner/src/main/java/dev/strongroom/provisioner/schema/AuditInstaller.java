package dev.strongroom.provisioner.schema;

import dev.strongroom.provisioner.db.Dialect;
import dev.strongroom.provisioner.db.MariaDbInstance;
import java.time.Duration;
import java.util.List;

/**
 * Installs the audit plane (DESIGN §4 "Audit chain", design (b); docs/audit-chain.md) on top of the
 * proc-only schema: {@code strongroom_audit} with {@code audit_events} and {@code audit_chain}, the
 * locked owner {@code audit_definer}, the AFTER triggers on every data table, the guard triggers,
 * the sealer {@code audit_seal(max_rows)} and the auditor's grants.
 *
 * <p>{@link #install} runs {@link SchemaInstaller#install} first (which revokes and re-grants every
 * identity) and then the audit scripts, so the auditor's audit grants survive a re-install only
 * when the install goes through this class. Kept apart from {@link SchemaInstaller#SCRIPTS} because
 * that installer's tests assert the exact grants and routine set of parts 1–4.
 */
public final class AuditInstaller {
  public static final String AUDIT_SCHEMA = "strongroom_audit";
  public static final String AUDIT_DEFINER = "audit_definer";

  /**
   * The audit scripts, applied in this order after {@link SchemaInstaller#SCRIPTS}: SQL resources
   * next to the schema scripts, except {@link AuditTriggers#SCRIPT_NAME}, which {@link
   * AuditTriggers} generates from its column specification ({@link #part}).
   */
  public static final List<String> SCRIPTS =
      List.of(
          "05-audit.sql",
          AuditTriggers.SCRIPT_NAME,
          "06-audit-grants.sql",
          "06-backup-grants.sql",
          "06-anchor-writer-grants.sql",
          "07-audit-baseline.sql");

  /** One part of {@link #SCRIPTS} in its MariaDB form: the resource, or the generated triggers. */
  public static String part(String name) {
    return name.equals(AuditTriggers.SCRIPT_NAME)
        ? AuditTriggers.script()
        : SchemaInstaller.resource(name);
  }

  private AuditInstaller() {}

  /**
   * Options. {@code sealEvery}: when not null, an event {@code strongroom_audit.audit_sealer} calls
   * {@code audit_seal(10000)} at that interval and the event scheduler is switched on ({@code SET
   * GLOBAL}, so it lasts until the server restarts); when null the event is dropped and sealing is
   * left to the audit plane (auditor calls {@code audit_seal}).
   */
  public record Options(Duration sealEvery) {
    public static Options manualSealing() {
      return new Options(null);
    }
  }

  /** Schema (parts 1–4) plus the audit plane, as the installer over the Unix socket. */
  public static void install(MariaDbInstance db, byte[] tokenKey, Options options) {
    SchemaInstaller.install(db, tokenKey);
    db.sqlScript(script(options));
  }

  /** As {@link #install(MariaDbInstance, byte[], Options)} with a whole tenant-token key set. */
  public static void install(
      MariaDbInstance db,
      dev.strongroom.contracts.token.TenantTokenKeys tokenKeys,
      Options options) {
    SchemaInstaller.install(db, tokenKeys);
    db.sqlScript(script(options));
  }

  /** The MariaDB 10.11 audit script: prelude, {@link #SCRIPTS}, the scheduler statements. */
  public static String script(Options options) {
    return script(Dialect.MARIADB_10_11, options);
  }

  /**
   * The audit script in {@code dialect}'s form ({@link SchemaDialect}): prelude, {@link #SCRIPTS},
   * the scheduler statements. MariaDB's is the resources unchanged; MySQL 8.4's is rendered, not
   * run here.
   */
  public static String script(Dialect dialect, Options options) {
    StringBuilder sb = new StringBuilder(SchemaDialect.prelude(dialect));
    for (String name : SCRIPTS) {
      if (name.equals(BASELINE)) {
        // the sealer event before the baseline: the drift state lists events, and the baseline
        // must hold the one the install leaves behind
        sb.append(
            SchemaDialect.render(dialect, "audit sealer event", schedulerStatements(options)));
      }
      sb.append("\n-- ")
          .append(name)
          .append('\n')
          .append(SchemaDialect.render(dialect, name, part(name)))
          .append('\n');
    }
    return sb.toString();
  }

  /** The last part: the drift baseline, taken after everything else the install leaves. */
  static final String BASELINE = "07-audit-baseline.sql";

  /**
   * The sealer event's statements (MariaDB form): drop it, or replace it and switch the scheduler
   * on.
   */
  static String schedulerStatements(Options options) {
    Duration every = options == null ? null : options.sealEvery();
    if (every == null) {
      return "DROP EVENT IF EXISTS strongroom_audit.audit_sealer;\n";
    }
    long s = every.toSeconds();
    if (s < 1 || s > 86_400) {
      throw new IllegalArgumentException("sealEvery must be within 1 s .. 1 day");
    }
    return "CREATE OR REPLACE DEFINER = 'audit_definer'@'localhost' EVENT strongroom_audit.audit_sealer ON SCHEDULE EVERY "
        + s
        + " SECOND ON COMPLETION PRESERVE ENABLE DO CALL strongroom_audit.audit_seal(10000);\n"
        + "SET GLOBAL event_scheduler = ON;\n";
  }
}
