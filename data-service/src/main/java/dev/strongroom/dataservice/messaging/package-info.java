/** Adapter: the consumer of {@code strongroom.store.requests}. */
package dev.strongroom.dataservice.messaging;
