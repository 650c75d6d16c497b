package dev.strongroom.cryptoservice.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.errors.StrongroomException;
import dev.strongroom.contracts.records.EncryptRequest;
import dev.strongroom.contracts.records.SealingKey;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.token.InvalidTokenException;
import dev.strongroom.crypto.kms.WrappedKey;
import dev.strongroom.cryptoservice.pipeline.DecryptService;
import dev.strongroom.cryptoservice.pipeline.RewrapService;
import dev.strongroom.kit.tls.LogSafe;
import dev.strongroom.kit.tls.PeerCertificate;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The crypto-service's HTTP API: the HPKE public key applications seal encrypt requests to, and
 * decrypt for a caller holding a valid tenant token for the record's tenant that was issued to the
 * client certificate the caller presents on this connection (else 401 {@code SR-TOKEN-CNF}). Errors
 * are {@code {"error": <code>, "detail": <one line>}}; plaintext and key material are never logged.
 * The operator also rewraps a stored data key under the KEK's primary version here (KEK rotation,
 * {@code POST /v1/rewrap}).
 */
@Path("/v1")
public class CryptoResource {
  private static final Logger LOG = Logger.getLogger(CryptoResource.class);

  private final SealingKey sealingKey;
  private final DecryptService decrypts;
  private final RewrapService rewraps;

  public CryptoResource(SealingKey sealingKey, DecryptService decrypts, RewrapService rewraps) {
    this.sealingKey = sealingKey;
    this.decrypts = decrypts;
    this.rewraps = rewraps;
  }

  /**
   * Body: {@code {"tenant", "tenantToken", "dekId", "wrappedDek" (base64url), "kmsKeyName",
   * "kmsKeyVersion"}} — a row of {@code data_keys}. Returns {@code {"dekId", "kmsKeyName",
   * "kmsKeyVersion", "wrappedDek"}}: the same data key wrapped under the KEK's primary version, for
   * {@code app_rewrap_data_key}. The operator's ({@code strongroom.http.allow}); {@code
   * ./strongroom rotate-kek} calls it for every data key not yet under the primary version.
   */
  @POST
  @Path("/rewrap")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Response rewrap(JsonNode body, @Context HttpServerRequest http) {
    RewrapService.Request request;
    try {
      request =
          new RewrapService.Request(
              text(body, "tenant"),
              text(body, "tenantToken"),
              text(body, "dekId"),
              WrappedKey.of(
                  text(body, "kmsKeyName"),
                  text(body, "kmsKeyVersion"),
                  Base64Url.decode(text(body, "wrappedDek"))),
              PeerCertificate.thumbprint(http.sslSession()).orElse(null));
    } catch (RuntimeException e) {
      return error(
          400,
          "MALFORMED",
          "body must be {tenant, tenantToken, dekId, wrappedDek, kmsKeyName, kmsKeyVersion}");
    }
    try {
      WrappedKey w = rewraps.rewrap(request);
      ObjectNode o = CanonicalJson.mapper().createObjectNode();
      o.put("dekId", request.dekId());
      o.put("kmsKeyName", w.keyName());
      o.put("kmsKeyVersion", w.keyVersion());
      o.put("wrappedDek", Base64Url.encode(w.bytes()));
      LOG.infof(
          "rewrapped data key %s of tenant %s: %s -> %s",
          LogSafe.text(request.dekId()),
          LogSafe.text(request.tenant()),
          LogSafe.text(request.wrapped().keyVersion()),
          LogSafe.text(w.keyVersion()));
      return Response.ok(o).build();
    } catch (InvalidTokenException e) {
      LOG.warnf(
          "rewrap refused for tenant %s data key %s: %s",
          LogSafe.text(request.tenant()), LogSafe.text(request.dekId()), e.reason());
      return error(
          "SR-TOKEN-TENANT".equals(e.reason()) ? 403 : 401, "UNAUTHORIZED", e.getMessage());
    } catch (StrongroomException e) {
      LOG.warnf(
          "rewrap failed for tenant %s data key %s: %s",
          LogSafe.text(request.tenant()), LogSafe.text(request.dekId()), e.code().code());
      return kmsError(e, "rewrap failed");
    }
  }

  /** {@code {"kid", "publicKey" (base64url raw X25519), "suite"}}. */
  @GET
  @Path("/sealing-key")
  @Produces(MediaType.APPLICATION_JSON)
  public ObjectNode sealingKey() {
    ObjectNode o = CanonicalJson.mapper().createObjectNode();
    o.put("kid", sealingKey.kid());
    o.put("publicKey", Base64Url.encode(sealingKey.publicKey()));
    o.put("suite", EncryptRequest.SUITE);
    return o;
  }

  /**
   * Body: {@code {"tenant", "tenantToken", "recordId", "schemaVersion", "dataKey": {…}, "fields":
   * {…}}} ({@code dataKey} and {@code fields} as in {@code store.requested.v1}). Returns {@code
   * {"fields": {name: plaintext}}}.
   */
  @POST
  @Path("/decrypt")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Response decrypt(JsonNode body, @Context HttpServerRequest http) {
    DecryptService.Request request;
    try {
      request =
          new DecryptService.Request(
              text(body, "tenant"),
              text(body, "tenantToken"),
              text(body, "recordId"),
              body.path("schemaVersion").asInt(1),
              StoreRequest.dataKeyFromJson(body.get("dataKey")),
              StoreRequest.fieldsFromJson(body.get("fields")),
              PeerCertificate.thumbprint(http.sslSession()).orElse(null));
      for (String f : request.fields().keySet()) {
        if (!StoreRequest.FIELDS.contains(f)) {
          return error(400, "MALFORMED", "unknown field " + f);
        }
      }
    } catch (RuntimeException e) {
      return error(
          400,
          "MALFORMED",
          "body must be {tenant, tenantToken, recordId, schemaVersion, dataKey, fields}");
    }
    try {
      Map<String, String> fields = decrypts.decrypt(request);
      ObjectNode o = CanonicalJson.mapper().createObjectNode();
      ObjectNode f = o.putObject("fields");
      fields.forEach(f::put);
      return Response.ok(o).build();
    } catch (InvalidTokenException e) {
      LOG.warnf(
          "decrypt refused for tenant %s record %s: %s",
          LogSafe.text(request.tenant()), LogSafe.text(request.recordId()), e.reason());
      return error(
          "SR-TOKEN-TENANT".equals(e.reason()) ? 403 : 401, "UNAUTHORIZED", e.getMessage());
    } catch (StrongroomException e) {
      LOG.warnf(
          "decrypt failed for tenant %s record %s: %s",
          LogSafe.text(request.tenant()), LogSafe.text(request.recordId()), e.code().code());
      return kmsError(e, "decrypt failed");
    }
  }

  private static Response kmsError(StrongroomException e, String otherwise) {
    switch (e.code()) {
      case INTEGRITY:
        return error(422, "INTEGRITY", "invalid ciphertext");
      case UNAVAILABLE:
        // the decrypt already waited for it (strongroom.crypto.decrypt.kms-wait); a reader may try
        // again later
        return errorBuilder(503, "UNAVAILABLE", "key management is unavailable")
            .header("Retry-After", "5")
            .build();
      case REFUSED:
        return error(502, "REFUSED", "key management refused the request");
      default:
        return error(500, e.code().code(), otherwise);
    }
  }

  private static String text(JsonNode body, String name) {
    JsonNode v = body == null ? null : body.get(name);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(name);
    }
    return v.asText();
  }

  private static Response error(int status, String code, String detail) {
    return errorBuilder(status, code, detail).build();
  }

  private static Response.ResponseBuilder errorBuilder(int status, String code, String detail) {
    ObjectNode o = CanonicalJson.mapper().createObjectNode();
    o.put("error", code);
    o.put("detail", detail);
    return Response.status(status).entity(o).type(MediaType.APPLICATION_JSON);
  }
}
