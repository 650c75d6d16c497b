/**
 * The proof-service's core (no Quarkus): one proof run on request or schedule, its signed bundle in
 * the evidence directory, the completed event's data and the PROOF_FAILED alert.
 */
package dev.strongroom.proofservice.run;
