package dev.strongroom.audit.chain;

/**
 * One {@code strongroom_audit.audit_events} row as the verifier read it (text columns decoded from
 * UTF-8; {@code null} for SQL NULL). {@code time} is the DATETIME(6) text {@code YYYY-MM-DD
 * HH:MM:SS.ffffff} (UTC).
 */
public record AuditEvent(
    long eventId,
    String time,
    String dbUser,
    String currentUser,
    String tenant,
    String operation,
    String table,
    String primaryKey,
    String before,
    String after,
    String requestId) {

  /**
   * The canonical payload (docs/audit-chain.md), built here without the database: a JSON object
   * with the keys in this order (sorted), no whitespace; the images and the primary key
   * re-canonicalised.
   */
  public String payload() {
    return "{\"after\":"
        + image(after)
        + ",\"before\":"
        + image(before)
        + ",\"current_user\":"
        + AuditJsonNotRfc8785.quote(currentUser)
        + ",\"db_user\":"
        + AuditJsonNotRfc8785.quote(dbUser)
        + ",\"event_id\":"
        + Long.toUnsignedString(eventId)
        + ",\"operation\":"
        + AuditJsonNotRfc8785.quote(operation)
        + ",\"primary_key\":"
        + AuditJsonNotRfc8785.canonical(primaryKey)
        + ",\"request_id\":"
        + AuditJsonNotRfc8785.quote(requestId)
        + ",\"table\":"
        + AuditJsonNotRfc8785.quote(table)
        + ",\"tenant\":"
        + AuditJsonNotRfc8785.quote(tenant)
        + ",\"time\":"
        + AuditJsonNotRfc8785.quote(time)
        + "}";
  }

  private static String image(String json) {
    return json == null ? "null" : AuditJsonNotRfc8785.canonical(json);
  }

  /**
   * The payload when the stored JSON columns already are in canonical form, else empty: one parse
   * of each column instead of two ({@link #storedCanonical()} then {@link #payload()}).
   *
   * @throws IllegalArgumentException if a column is not JSON
   */
  public java.util.Optional<String> payloadIfStoredCanonical() {
    if ((before != null && !AuditJsonNotRfc8785.isCanonical(before))
        || (after != null && !AuditJsonNotRfc8785.isCanonical(after))
        || !AuditJsonNotRfc8785.isCanonical(primaryKey)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        "{\"after\":"
            + (after == null ? "null" : after)
            + ",\"before\":"
            + (before == null ? "null" : before)
            + ",\"current_user\":"
            + AuditJsonNotRfc8785.quote(currentUser)
            + ",\"db_user\":"
            + AuditJsonNotRfc8785.quote(dbUser)
            + ",\"event_id\":"
            + Long.toUnsignedString(eventId)
            + ",\"operation\":"
            + AuditJsonNotRfc8785.quote(operation)
            + ",\"primary_key\":"
            + primaryKey
            + ",\"request_id\":"
            + AuditJsonNotRfc8785.quote(requestId)
            + ",\"table\":"
            + AuditJsonNotRfc8785.quote(table)
            + ",\"tenant\":"
            + AuditJsonNotRfc8785.quote(tenant)
            + ",\"time\":"
            + AuditJsonNotRfc8785.quote(time)
            + "}");
  }

  /** The stored JSON columns already are in canonical form. */
  public boolean storedCanonical() {
    return (before == null || AuditJsonNotRfc8785.isCanonical(before))
        && (after == null || AuditJsonNotRfc8785.isCanonical(after))
        && AuditJsonNotRfc8785.isCanonical(primaryKey);
  }
}
