package dev.strongroom.devstack.planted;

/** Planted violation: another module's internal package (RulesBiteTest). */
public final class UsesCryptoInternal {
  public dev.strongroom.crypto.internal.Hkdf hkdf;
}
