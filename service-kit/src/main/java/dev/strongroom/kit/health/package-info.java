/** Readiness: the service's event keys are loaded and valid. */
package dev.strongroom.kit.health;
