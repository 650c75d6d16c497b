/**
 * Google Cloud pieces of Strongroom through Google's own client libraries ({@code
 * google-cloud-storage}, {@code google-cloud-kms}), Quarkus-free: {@link
 * dev.strongroom.cloud.gcp.GcpClients} says where the clients point (Google, or the in-process
 * fakes of {@link dev.strongroom.cloud.gcp.fake}); {@link dev.strongroom.cloud.gcp.storage} is the
 * create-only object store behind the WORM sink; {@link dev.strongroom.cloud.gcp.setup} is the
 * cloud setup as a reviewable, idempotent plan (docs/cloud-gcp.md).
 */
package dev.strongroom.cloud.gcp;
