/**
 * A real Kafka broker (KRaft) in process or as its own process, its storage formatting, its access
 * policy, and the JUnit extension that starts it for tests.
 */
package dev.strongroom.devstack.kafka;
