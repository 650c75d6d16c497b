package dev.strongroom.audit.planted;

/** Planted violation: a library touching Jakarta (RulesBiteTest). */
public final class LibraryUsesJakarta {
  public jakarta.inject.Provider<String> provider;
}
