/** Adapter: the consumer of {@code strongroom.proof.requests}. */
package dev.strongroom.proofservice.messaging;
