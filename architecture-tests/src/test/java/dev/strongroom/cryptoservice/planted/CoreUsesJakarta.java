package dev.strongroom.cryptoservice.planted;

/** Planted violation: a service core that touches Jakarta (RulesBiteTest). */
public final class CoreUsesJakarta {
  public jakarta.inject.Provider<String> provider;
}
