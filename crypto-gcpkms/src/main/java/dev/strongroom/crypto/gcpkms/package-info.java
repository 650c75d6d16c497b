/**
 * Google Cloud KMS as a {@code KeyWrapper} (CRC32C integrity both ways) and a fake Cloud KMS gRPC
 * server for tests and the devstack.
 */
package dev.strongroom.crypto.gcpkms;
