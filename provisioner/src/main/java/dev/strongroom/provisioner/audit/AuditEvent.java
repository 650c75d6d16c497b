package dev.strongroom.provisioner.audit;

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
        + CanonicalJson.quote(currentUser)
        + ",\"db_user\":"
        + CanonicalJson.quote(dbUser)
        + ",\"event_id\":"
        + Long.toUnsignedString(eventId)
        + ",\"operation\":"
        + CanonicalJson.quote(operation)
        + ",\"primary_key\":"
        + CanonicalJson.canonical(primaryKey)
        + ",\"request_id\":"
        + CanonicalJson.quote(requestId)
        + ",\"table\":"
        + CanonicalJson.quote(table)
        + ",\"tenant\":"
        + CanonicalJson.quote(tenant)
        + ",\"time\":"
        + CanonicalJson.quote(time)
        + "}";
  }

  private static String image(String json) {
    return json == null ? "null" : CanonicalJson.canonical(json);
  }

  /** The stored JSON columns already are in canonical form. */
  public boolean storedCanonical() {
    return (before == null || CanonicalJson.canonical(before).equals(before))
        && (after == null || CanonicalJson.canonical(after).equals(after))
        && CanonicalJson.canonical(primaryKey).equals(primaryKey);
  }
}
