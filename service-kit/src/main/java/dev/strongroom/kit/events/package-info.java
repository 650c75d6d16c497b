/**
 * The thin Quarkus adapter around the record gate: the gated consumer every {@code @Incoming}
 * method calls, the event publisher, and the producers of the contracts objects.
 */
package dev.strongroom.kit.events;
