/**
 * The signed CloudEvents envelope (DESIGN §3): RFC 8785 canonical JSON, signing, verification under
 * the acceptance rules, replay memory, and the verdicts a consumer acts on.
 */
package dev.strongroom.contracts.envelope;
