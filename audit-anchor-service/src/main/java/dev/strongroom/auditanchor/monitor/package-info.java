/**
 * The audit watch's core, free of Quarkus: each tick tails the chain, re-verifies it, anchors a
 * checkpoint while holding the lease and raises an alert on a break, a gap or schema drift.
 */
package dev.strongroom.auditanchor.monitor;
