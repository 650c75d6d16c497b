/**
 * The pipeline controls ({@code SR-PIPE-*}): the data plane attacked over Kafka as an insider with
 * a writer identity but no signing key would, and the broker's topics and files searched for a
 * plaintext the pipeline carried. The Kafka side is the embedder's {@link
 * dev.strongroom.proof.pipeline.PipelineProbe}, so this library stays free of Kafka clients.
 */
package dev.strongroom.proof.pipeline;
