/**
 * The anchor lease: one writer of checkpoints at a time, fenced by the epoch the database hands out
 * ({@code audit_lease_acquire}); a lapsed holder's appends are refused in SQL.
 */
package dev.strongroom.auditanchor.lease;
