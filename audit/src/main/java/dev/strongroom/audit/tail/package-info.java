/**
 * Reading the chain from the database as {@code auditor} or the audit-anchor-service's {@code
 * anchor_writer} (JDBC through MySQL Connector/J, mutual TLS 1.3; the driver is the embedder's
 * runtime dependency, this package needs {@code java.sql} only): {@link
 * dev.strongroom.audit.tail.AuditorJdbc} opens the connection, {@link
 * dev.strongroom.audit.tail.ChainTail} verifies new rows incrementally from the last verified seq
 * and keeps that state across restarts in a {@link dev.strongroom.audit.tail.TailStateFile}, and
 * {@link dev.strongroom.audit.tail.SchemaWatch} reads the drift and row-count views
 * (docs/audit-chain.md).
 */
package dev.strongroom.audit.tail;
