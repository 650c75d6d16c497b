/**
 * The cloud setup (the seed's outside-the-VM script, as code): from a {@link
 * dev.strongroom.cloud.gcp.setup.CloudSetupSpec}, a {@link
 * dev.strongroom.cloud.gcp.setup.CloudSetupPlan} of steps, each checked read-only and applied only
 * where the cloud differs — a Cloud KMS key ring, an HSM-protected symmetric key with a rotation
 * schedule, a Cloud Storage bucket with uniform bucket-level access, public access prevention and a
 * locked retention policy, and the service account's narrow IAM bindings on both
 * (docs/cloud-gcp.md).
 */
package dev.strongroom.cloud.gcp.setup;
