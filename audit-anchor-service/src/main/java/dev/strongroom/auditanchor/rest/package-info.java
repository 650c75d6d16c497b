/** The audit-anchor-service's HTTP adapter: the log served read-only for tlog-tiles clients. */
package dev.strongroom.auditanchor.rest;
