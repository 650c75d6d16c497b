/**
 * Adapter: the crypto-service's configuration mapping and the CDI producers that build the library
 * objects from it.
 */
package dev.strongroom.cryptoservice.config;
