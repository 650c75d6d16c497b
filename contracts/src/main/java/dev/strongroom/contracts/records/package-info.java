/**
 * The typed data of the request and result events (encrypt request, store request, store result)
 * and the HPKE sealing of request fields to the crypto-service.
 */
package dev.strongroom.contracts.records;
