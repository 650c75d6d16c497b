/** Not API: the AES-GCM, HKDF and length-prefixing primitives the crypto packages build on. */
package dev.strongroom.crypto.internal;
