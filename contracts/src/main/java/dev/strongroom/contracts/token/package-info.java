/**
 * Tenant tokens (DESIGN §4): issuing and verifying the HMAC-signed claims the database checks again
 * in {@code security_set_tenant}.
 */
package dev.strongroom.contracts.token;
