/**
 * A create-only, immutable object store on a Cloud Storage bucket whose retention policy is locked:
 * the WORM sink of DESIGN §5 ({@link dev.strongroom.cloud.gcp.storage.GcsObjectStore}).
 */
package dev.strongroom.cloud.gcp.storage;
