package dev.strongroom.contracts.provision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Typed {@code data} of {@code dev.strongroom.provision.requested.v1}:
 *
 * <pre>{"requestId","mode":"PLAN"|"APPLY","target":"local"|"ssh://user@host[:port]",
 *  "host":{"allowRemote","allowedCidrs":[…],"dialect","sshPort","dbPort","serviceUser","dbUser",
 *          "installDir","configDir","stateDir","logDir","maxRetry","findTime","banTime",
 *          "verifyAuditEvery",
 *          "atRestKeys"?:"file"|"vault","vaultUrl"?,"vaultCa"?,"vaultTokenFile"?},
 *  "rotate"?:{"issuedBefore"},
 *  "rotateAtRestKeys"?:{"issuedBefore"},
 *  "reason"?}</pre>
 *
 * Without {@code rotate} the run is the host plan (the hardening bundle). With it, the run is the
 * host's certificate plan instead: every certificate of the target issued before {@code
 * issuedBefore} (an instant in whole seconds, {@code 2026-12-05T00:00:00Z}) is replaced from the
 * provisioner's PKI, installed, the old one revoked and the database's TLS reloaded; the same
 * instant again changes nothing.
 *
 * <p>With {@code rotateAtRestKeys} (never together with {@code rotate}; added later, optional, so
 * every earlier request still means what it meant) the run is the target's at-rest key rotation
 * instead: with MariaDB's {@code hashicorp_key_management}, every at-rest key whose two latest
 * versions were not written by a rotation at or after {@code issuedBefore} gets new versions in
 * Vault and the server re-encrypts every tablespace under them; MySQL 8.4 rotates its master keys.
 * The same instant again changes nothing (docs/ops-plane.md, "At-rest key rotation as a plan").
 *
 * <p>The host options are the seed installer's (what {@code ./strongroom provision --render}
 * takes), every one spelled out so that a request means the same thing to every later release;
 * durations are ISO-8601 ({@code PT10M}). The at-rest key members (added later, optional: absent
 * means {@code file}, as every earlier request meant) name where the database's at-rest keys come
 * from; with {@code vault}, the Vault KV v2 mount URL and the CA and token files the operator has
 * placed on the host — the request never carries the token itself. The request carries no
 * credential: which SSH key the provisioner uses and which host key it expects come from the
 * provisioner-service's own configuration. The request id is the requester's, stable across its
 * retries: a repeat gets the first run's result again, never a second run.
 */
public record ProvisionRequest(
    String requestId,
    ProvisionMode mode,
    String target,
    Host host,
    Rotate rotate,
    Rotate rotateAtRestKeys,
    String reason) {

  /** A host plan request (no rotation). */
  public ProvisionRequest(
      String requestId, ProvisionMode mode, String target, Host host, String reason) {
    this(requestId, mode, target, host, null, null, reason);
  }

  /** A host plan request, or a certificate rotation ({@code rotate} given). */
  public ProvisionRequest(
      String requestId,
      ProvisionMode mode,
      String target,
      Host host,
      Rotate rotate,
      String reason) {
    this(requestId, mode, target, host, rotate, null, reason);
  }

  /**
   * Rotate what was issued before {@code issuedBefore} (whole seconds): the target's certificates
   * ({@code rotate}), or its at-rest key versions ({@code rotateAtRestKeys}).
   */
  public record Rotate(Instant issuedBefore) {
    public Rotate {
      Objects.requireNonNull(issuedBefore, "issuedBefore");
      if (!issuedBefore.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).equals(issuedBefore)) {
        throw new IllegalArgumentException("issuedBefore must be whole seconds: " + issuedBefore);
      }
    }
  }

  /** The host options ({@code HostOptions} in the provisioner library). */
  public record Host(
      boolean allowRemote,
      List<String> allowedCidrs,
      String dialect,
      int sshPort,
      int dbPort,
      String serviceUser,
      String dbUser,
      String installDir,
      String configDir,
      String stateDir,
      String logDir,
      int maxRetry,
      Duration findTime,
      Duration banTime,
      Duration verifyAuditEvery,
      String atRestKeys,
      String vaultUrl,
      String vaultCa,
      String vaultTokenFile) {
    /** Host options without the at-rest key members (the host's own key file). */
    public Host(
        boolean allowRemote,
        List<String> allowedCidrs,
        String dialect,
        int sshPort,
        int dbPort,
        String serviceUser,
        String dbUser,
        String installDir,
        String configDir,
        String stateDir,
        String logDir,
        int maxRetry,
        Duration findTime,
        Duration banTime,
        Duration verifyAuditEvery) {
      this(
          allowRemote,
          allowedCidrs,
          dialect,
          sshPort,
          dbPort,
          serviceUser,
          dbUser,
          installDir,
          configDir,
          stateDir,
          logDir,
          maxRetry,
          findTime,
          banTime,
          verifyAuditEvery,
          null,
          null,
          null,
          null);
    }

    /** {@code atRestKeys}, if given ({@code file} when absent). */
    public Optional<String> atRestKeysIfGiven() {
      return Optional.ofNullable(atRestKeys);
    }

    public Optional<String> vaultUrlIfGiven() {
      return Optional.ofNullable(vaultUrl);
    }

    public Optional<String> vaultCaIfGiven() {
      return Optional.ofNullable(vaultCa);
    }

    public Optional<String> vaultTokenFileIfGiven() {
      return Optional.ofNullable(vaultTokenFile);
    }

    public Host {
      allowedCidrs = List.copyOf(allowedCidrs);
      Objects.requireNonNull(dialect, "dialect");
      Objects.requireNonNull(serviceUser, "serviceUser");
      Objects.requireNonNull(dbUser, "dbUser");
      Objects.requireNonNull(installDir, "installDir");
      Objects.requireNonNull(configDir, "configDir");
      Objects.requireNonNull(stateDir, "stateDir");
      Objects.requireNonNull(logDir, "logDir");
      Objects.requireNonNull(findTime, "findTime");
      Objects.requireNonNull(banTime, "banTime");
      Objects.requireNonNull(verifyAuditEvery, "verifyAuditEvery");
    }

    ObjectNode toJson() {
      ObjectNode h = CanonicalJson.mapper().createObjectNode();
      h.put("allowRemote", allowRemote);
      ArrayNode cidrs = h.putArray("allowedCidrs");
      allowedCidrs.forEach(cidrs::add);
      h.put("dialect", dialect);
      h.put("sshPort", sshPort);
      h.put("dbPort", dbPort);
      h.put("serviceUser", serviceUser);
      h.put("dbUser", dbUser);
      h.put("installDir", installDir);
      h.put("configDir", configDir);
      h.put("stateDir", stateDir);
      h.put("logDir", logDir);
      h.put("maxRetry", maxRetry);
      h.put("findTime", findTime.toString());
      h.put("banTime", banTime.toString());
      h.put("verifyAuditEvery", verifyAuditEvery.toString());
      if (atRestKeys != null) {
        h.put("atRestKeys", atRestKeys);
      }
      if (vaultUrl != null) {
        h.put("vaultUrl", vaultUrl);
      }
      if (vaultCa != null) {
        h.put("vaultCa", vaultCa);
      }
      if (vaultTokenFile != null) {
        h.put("vaultTokenFile", vaultTokenFile);
      }
      return h;
    }

    static Host fromJson(JsonNode h) {
      List<String> cidrs = new ArrayList<>();
      h.get("allowedCidrs").forEach(c -> cidrs.add(c.asText()));
      return new Host(
          h.get("allowRemote").asBoolean(),
          cidrs,
          h.get("dialect").asText(),
          h.get("sshPort").intValue(),
          h.get("dbPort").intValue(),
          h.get("serviceUser").asText(),
          h.get("dbUser").asText(),
          h.get("installDir").asText(),
          h.get("configDir").asText(),
          h.get("stateDir").asText(),
          h.get("logDir").asText(),
          h.get("maxRetry").intValue(),
          Duration.parse(h.get("findTime").asText()),
          Duration.parse(h.get("banTime").asText()),
          Duration.parse(h.get("verifyAuditEvery").asText()),
          text(h, "atRestKeys"),
          text(h, "vaultUrl"),
          text(h, "vaultCa"),
          text(h, "vaultTokenFile"));
    }

    private static String text(JsonNode h, String name) {
      return h.hasNonNull(name) ? h.get(name).asText() : null;
    }
  }

  public ProvisionRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(host, "host");
    if (rotate != null && rotateAtRestKeys != null) {
      throw new IllegalArgumentException("rotate and rotateAtRestKeys are separate requests");
    }
  }

  public Optional<Rotate> rotateIfGiven() {
    return Optional.ofNullable(rotate);
  }

  /** The at-rest key rotation asked for, if any. */
  public Optional<Rotate> rotateAtRestKeysIfGiven() {
    return Optional.ofNullable(rotateAtRestKeys);
  }

  public Optional<String> reasonIfGiven() {
    return Optional.ofNullable(reason);
  }

  public ObjectNode toData() {
    ObjectNode d = CanonicalJson.mapper().createObjectNode();
    d.put("requestId", requestId);
    d.put("mode", mode.name());
    d.put("target", target);
    d.set("host", host.toJson());
    if (rotate != null) {
      d.putObject("rotate").put("issuedBefore", rotate.issuedBefore().toString());
    }
    if (rotateAtRestKeys != null) {
      d.putObject("rotateAtRestKeys")
          .put("issuedBefore", rotateAtRestKeys.issuedBefore().toString());
    }
    if (reason != null) {
      d.put("reason", reason);
    }
    return d;
  }

  /** Reads schema-valid {@code data}. */
  public static ProvisionRequest fromData(JsonNode d) {
    return new ProvisionRequest(
        d.get("requestId").asText(),
        ProvisionMode.valueOf(d.get("mode").asText()),
        d.get("target").asText(),
        Host.fromJson(d.get("host")),
        d.has("rotate")
            ? new Rotate(Instant.parse(d.get("rotate").get("issuedBefore").asText()))
            : null,
        d.has("rotateAtRestKeys")
            ? new Rotate(Instant.parse(d.get("rotateAtRestKeys").get("issuedBefore").asText()))
            : null,
        d.has("reason") ? d.get("reason").asText() : null);
  }
}
