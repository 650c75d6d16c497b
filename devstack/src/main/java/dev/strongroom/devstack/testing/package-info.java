/**
 * Test support for the services: a Quarkus test resource with a real broker and keys, and the
 * contract every service's IT checks.
 */
package dev.strongroom.devstack.testing;
