package dev.strongroom.backup;

import dev.strongroom.provisioner.schema.AuditInstaller;
import dev.strongroom.provisioner.schema.SchemaInstaller;
import java.util.List;

/** What a Strongroom backup covers. */
public final class Backups {
  /** The audit schema (holds {@code audit_events} and {@code audit_chain}). */
  public static final String AUDIT_SCHEMA = AuditInstaller.AUDIT_SCHEMA;

  /**
   * The data schema, the security schema (tenant-token verification keys and bindings, without
   * which the restored procedures cannot verify a token) and the audit schema.
   */
  public static final List<String> SCHEMAS =
      List.of(SchemaInstaller.DATA_SCHEMA, SchemaInstaller.SECURITY_SCHEMA, AUDIT_SCHEMA);

  private Backups() {}
}
