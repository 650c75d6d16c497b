/**
 * The pipeline benchmark behind {@code ./strongroom bench} (issue 13): three ways of storing the
 * same record, measured in one run on the same database with the same client concurrency — the
 * database's own ceiling (ready-made ciphertext, procedure calls only), the seed's direct path (one
 * KMS wrap and one procedure call per record) and the pipeline (signed events, Kafka,
 * crypto-service, data-service) — with HdrHistogram latencies, ratios, a JSON report and a chart.
 * Quarkus-free: the devstack command builds the phases from the running stack.
 */
package dev.strongroom.bench;
