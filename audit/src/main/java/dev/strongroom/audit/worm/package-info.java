/**
 * Write-once object stores (DESIGN §5): the {@link dev.strongroom.audit.worm.WormStore} interface
 * and the local create-only directory {@link dev.strongroom.audit.worm.LocalDirWormStore}; Cloud
 * Storage's implementation is {@code dev.strongroom.cloud.gcp.storage.GcsObjectStore} in {@code
 * cloud-gcp}.
 */
package dev.strongroom.audit.worm;
