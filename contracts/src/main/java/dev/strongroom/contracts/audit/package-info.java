/**
 * The audit plane's events: {@code dev.strongroom.audit.anchored.v1} on {@code
 * strongroom.audit.anchors}, one per checkpoint the audit-anchor-service wrote to its WORM store
 * (DESIGN §3, §5; docs/events.md).
 */
package dev.strongroom.contracts.audit;
