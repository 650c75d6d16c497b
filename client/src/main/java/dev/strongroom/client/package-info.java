/**
 * The client library applications embed: seal → sign → publish → await the verified result; read →
 * the audited envelope → decrypt by the crypto-service. Quarkus-free; {@code ./strongroom put},
 * {@code get} and {@code load} run on it.
 */
package dev.strongroom.client;
