/** Adapter: the consumer of {@code strongroom.provision.requests}. */
package dev.strongroom.provisionerservice.messaging;
