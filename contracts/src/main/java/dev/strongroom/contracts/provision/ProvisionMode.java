package dev.strongroom.contracts.provision;

/** What a provisioning request asks for. */
public enum ProvisionMode {
  /** Run every step's check and report what would change; change nothing. */
  PLAN,
  /** Apply every step whose check differs, and re-check it. */
  APPLY
}
