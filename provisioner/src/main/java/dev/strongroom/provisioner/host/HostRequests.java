package dev.strongroom.provisioner.host;

import dev.strongroom.contracts.provision.ProvisionRequest;
import dev.strongroom.provisioner.db.Dialect;
import java.net.URI;
import java.nio.file.Path;

/**
 * {@link HostOptions} in and out of a {@code dev.strongroom.provision.requested.v1} request: the
 * command writes every option into the request; the provisioner-service reads them back through
 * {@link HostOptions.Builder#build()}, so a request is validated exactly as {@code provision
 * --render} validates its options.
 */
public final class HostRequests {
  private HostRequests() {}

  /** The request form of {@code o}. */
  public static ProvisionRequest.Host toRequest(HostOptions o) {
    return new ProvisionRequest.Host(
        o.allowRemote(),
        o.allowedCidrs().stream().map(Object::toString).toList(),
        o.dialect().id(),
        o.sshPort(),
        o.dbPort(),
        o.serviceUser(),
        o.dbUser(),
        o.installDir().toString(),
        o.configDir().toString(),
        o.stateDir().toString(),
        o.logDir().toString(),
        o.maxRetry(),
        o.findTime(),
        o.banTime(),
        o.verifyAuditEvery(),
        o.atRestKeys() == HostOptions.AtRestKeys.FILE ? null : o.atRestKeys().id(),
        o.vault().map(v -> v.url().toString()).orElse(null),
        o.vault().map(v -> v.caFile().toString()).orElse(null),
        o.vault().map(v -> v.tokenFile().toString()).orElse(null));
  }

  /**
   * The options a request asks for.
   *
   * @throws InvalidHostOptionException naming the first bad one ({@code SCHEMA})
   */
  public static HostOptions fromRequest(ProvisionRequest.Host h) {
    Dialect dialect;
    try {
      dialect = Dialect.fromId(h.dialect());
    } catch (IllegalArgumentException e) {
      throw new InvalidHostOptionException(e.getMessage());
    }
    HostOptions.Builder b =
        HostOptions.builder()
            .allowRemote(h.allowRemote())
            .dialect(dialect)
            .sshPort(h.sshPort())
            .dbPort(h.dbPort())
            .serviceUser(h.serviceUser())
            .dbUser(h.dbUser())
            .installDir(Path.of(h.installDir()))
            .configDir(Path.of(h.configDir()))
            .stateDir(Path.of(h.stateDir()))
            .logDir(Path.of(h.logDir()))
            .maxRetry(h.maxRetry())
            .findTime(h.findTime())
            .banTime(h.banTime())
            .verifyAuditEvery(h.verifyAuditEvery());
    h.allowedCidrs().forEach(b::allowCidr);
    if (h.atRestKeysIfGiven().isPresent()) {
      b.atRestKeys(HostOptions.AtRestKeys.fromId(h.atRestKeys()));
    }
    try {
      h.vaultUrlIfGiven().ifPresent(u -> b.vaultUrl(URI.create(u)));
    } catch (IllegalArgumentException e) {
      throw new InvalidHostOptionException("vault-url is not a URL: " + h.vaultUrl());
    }
    h.vaultCaIfGiven().ifPresent(p -> b.vaultCa(Path.of(p)));
    h.vaultTokenFileIfGiven().ifPresent(p -> b.vaultTokenFile(Path.of(p)));
    return b.build();
  }
}
