/** Adapter: the consumer of {@code strongroom.encrypt.requests}, delegating to the pipeline. */
package dev.strongroom.cryptoservice.messaging;
