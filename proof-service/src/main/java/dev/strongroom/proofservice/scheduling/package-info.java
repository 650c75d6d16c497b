/**
 * Adapter: builds the proof job from the configuration, runs it on schedule, and signs and
 * publishes its results and alerts.
 */
package dev.strongroom.proofservice.scheduling;
