/**
 * The assurance plane's events: {@code dev.strongroom.proof.requested.v1} on {@code
 * strongroom.proof.requests} and {@code dev.strongroom.proof.completed.v1} on {@code
 * strongroom.proof.results} (docs/events.md).
 */
package dev.strongroom.contracts.proof;
