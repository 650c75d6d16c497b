/**
 * The ops plane's events: {@code dev.strongroom.provision.requested.v1} on {@code
 * strongroom.provision.requests}, {@code dev.strongroom.provision.progressed.v1} and {@code
 * dev.strongroom.provision.completed.v1} on {@code strongroom.provision.events} (docs/events.md).
 */
package dev.strongroom.contracts.provision;
