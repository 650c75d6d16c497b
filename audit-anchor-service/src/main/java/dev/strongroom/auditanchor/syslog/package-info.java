/**
 * The syslog sink of the audit plane (DESIGN §5), free of Quarkus: every anchored checkpoint as an
 * RFC 5424 message to a configured collector, over TCP with RFC 5425 octet counting (TLS 1.3 with
 * the service's certificate, or plain TCP as RFC 6587 frames it) or over UDP (RFC 5426).
 */
package dev.strongroom.auditanchor.syslog;
