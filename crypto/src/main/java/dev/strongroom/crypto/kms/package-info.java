/**
 * Key wrapping: the {@code KeyWrapper} SPI, the wrapped-key format, and its PKCS#11 HSM,
 * development keyring, recovery and X-Wing post-quantum implementations.
 */
package dev.strongroom.crypto.kms;
