/**
 * Adapter: the timers — the audit watch every interval and the backup schedule — started with the
 * application, each catching and reporting its own failures so no exception ends a schedule unseen.
 */
package dev.strongroom.auditanchor.scheduling;
