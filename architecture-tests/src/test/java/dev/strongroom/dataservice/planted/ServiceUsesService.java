package dev.strongroom.dataservice.planted;

/** Planted violation: one service depending on another (RulesBiteTest). */
public final class ServiceUsesService {
  public dev.strongroom.cryptoservice.pipeline.EncryptPipeline pipeline;
}
