package dev.strongroom.contracts.alert;

/** Alert severity; the names are wire values. */
public enum Severity {
  CRITICAL,
  HIGH,
  MEDIUM,
  LOW
}
