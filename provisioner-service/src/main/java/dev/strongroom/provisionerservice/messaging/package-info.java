/**
 * Adapter: the consumer of {@code strongroom.provision.requests} and the publisher of each run's
 * progress and result on {@code strongroom.provision.events}.
 */
package dev.strongroom.provisionerservice.messaging;
