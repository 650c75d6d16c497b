package dev.strongroom.crypto.planted;

/** Planted violation: the crypto library reaching for contracts (RulesBiteTest). */
public final class CryptoUsesContracts {
  public dev.strongroom.contracts.errors.ErrorCode code;
}
