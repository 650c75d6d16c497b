/**
 * The audit library (docs/audit-library.md): {@code chain} (the database's hash chain), {@code
 * worm} (write-once stores). JDK only. Every failure is an {@link
 * dev.strongroom.audit.AuditException}.
 */
package dev.strongroom.audit;
