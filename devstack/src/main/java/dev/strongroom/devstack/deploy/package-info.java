/**
 * The production topology's generated files: what docker-compose.yml mounts for the Kafka broker,
 * its ACL job and the five services, rendered from the same code the devstack runs.
 */
package dev.strongroom.devstack.deploy;
