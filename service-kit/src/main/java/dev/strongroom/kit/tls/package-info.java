/**
 * Mutual TLS for every Kafka client and the HTTPS server of a service, from its TLS identity, with
 * a rotated certificate taken without a restart and without a dropped connection.
 */
package dev.strongroom.kit.tls;
