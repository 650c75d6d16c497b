/**
 * A TLS identity (certificate, key, CA) and the client configurations built from it, so every
 * client of a plane speaks mutual TLS the same way.
 */
package dev.strongroom.contracts.tls;
