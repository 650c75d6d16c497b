/**
 * The crypto-service's core, free of Quarkus: open a sealed encrypt request, check its tenant
 * token, encrypt its fields, build the store request; and decrypt for an authorised reader.
 */
package dev.strongroom.cryptoservice.pipeline;
