/**
 * A TLS identity (certificate, key, CA) and the client configurations built from it, so every
 * client of a plane speaks mutual TLS the same way; {@link
 * dev.strongroom.contracts.tls.LiveTlsIdentity} serves an identity from its files as they are now
 * (key and trust managers that take a rotation without a new SSL context), {@link
 * dev.strongroom.contracts.tls.TlsFileWatch} notices a rotation and checks the new pair is whole.
 */
package dev.strongroom.contracts.tls;
