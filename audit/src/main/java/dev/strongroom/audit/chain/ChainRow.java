package dev.strongroom.audit.chain;

/**
 * One row of {@code strongroom_audit.audit_chain} joined to its event, as a reader fetched it.
 *
 * @param seq the chain's gapless sequence number (1-based)
 * @param eventId the sealed event's id
 * @param prevHash {@code prev_hash} as stored (lower-case hex text)
 * @param currHash {@code curr_hash} as stored (lower-case hex text)
 * @param event the joined {@code audit_events} row, or {@code null} when the event is missing
 */
public record ChainRow(
    long seq, long eventId, String prevHash, String currHash, AuditEvent event) {}
