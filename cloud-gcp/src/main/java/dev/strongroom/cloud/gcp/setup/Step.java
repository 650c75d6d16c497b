package dev.strongroom.cloud.gcp.setup;

/** One step of the setup: a read-only check, and an apply that makes the check pass. */
interface Step {
  String id();

  String resource();

  /** Reads the cloud; never calls a mutating API. */
  CloudSetupStep check();

  /** Makes the resource as the spec asks (called only after a CREATE or UPDATE check). */
  void apply();
}
