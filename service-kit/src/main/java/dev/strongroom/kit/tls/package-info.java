/** Mutual TLS for every Kafka client of a service, from its TLS identity. */
package dev.strongroom.kit.tls;
