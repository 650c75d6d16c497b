/**
 * The assurance plane's library (DESIGN §2): a catalogue of controls, each a {@link
 * dev.strongroom.proof.check.Check} that tries to break it and keeps its raw evidence; the {@link
 * dev.strongroom.proof.run.ProofRunner}; the signed evidence bundle and its offline verifier. No
 * Quarkus: proof-service, {@code ./strongroom prove} and {@code verify-bundle} embed it.
 */
package dev.strongroom.proof;
