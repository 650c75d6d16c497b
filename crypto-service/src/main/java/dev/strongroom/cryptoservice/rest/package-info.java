/** Adapter: the crypto-service's HTTP API (its sealing key, decryption). */
package dev.strongroom.cryptoservice.rest;
