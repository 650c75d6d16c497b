/**
 * In-process fakes of Google Cloud APIs that the real client libraries talk to, for tests and the
 * devstack: {@link dev.strongroom.cloud.gcp.fake.FakeCloudStorageServer} speaks the Cloud Storage
 * JSON API over HTTP on loopback (the Cloud KMS fake is {@code
 * dev.strongroom.crypto.gcpkms.FakeCloudKmsServer}). They live in main scope, like Tink's fake KMS
 * client, so other modules' tests can use them. Not a security boundary (docs/cloud-gcp.md).
 */
package dev.strongroom.cloud.gcp.fake;
