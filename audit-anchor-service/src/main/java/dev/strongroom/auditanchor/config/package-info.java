/**
 * Adapter: the audit-anchor-service's typed configuration — the audit watch ({@code
 * strongroom.audit-anchor.*}) and the backup schedule ({@code strongroom.backup.*}); see the
 * configuration reference in {@code docs/}.
 */
package dev.strongroom.auditanchor.config;
