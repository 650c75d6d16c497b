/**
 * The data plane's core, free of Quarkus: the store loop (consume, store, publish the result and
 * commit the offsets in one Kafka transaction), the processor and the typed store failures.
 */
package dev.strongroom.dataservice.store;
