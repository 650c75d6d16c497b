/**
 * The embeddable field-encryption library (JDK and Bouncy Castle only): data keys, the explicit
 * access token for secret bytes, and the library's exceptions.
 */
package dev.strongroom.crypto;
