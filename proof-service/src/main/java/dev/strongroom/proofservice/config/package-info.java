/** Adapter: the proof-service's configuration mapping. */
package dev.strongroom.proofservice.config;
