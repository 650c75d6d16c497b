/**
 * Field encryption: AES-256-GCM under a per-data-key subkey with key commitment, the field context
 * bound as AAD, and the algorithm identifiers.
 */
package dev.strongroom.crypto.aead;
