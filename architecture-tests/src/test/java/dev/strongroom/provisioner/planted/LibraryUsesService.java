package dev.strongroom.provisioner.planted;

/** Planted violation: a library depending on a service (RulesBiteTest). */
public final class LibraryUsesService {
  public dev.strongroom.cryptoservice.pipeline.DecryptService service;
}
