package dev.strongroom.cryptoservice.messaging.planted;

/** Allowed: an adapter package of a service may touch Jakarta (RulesBiteTest). */
public final class AdapterUsesJakarta {
  public jakarta.inject.Provider<String> provider;
}
