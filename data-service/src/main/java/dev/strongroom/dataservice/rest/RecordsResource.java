package dev.strongroom.dataservice.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.dataservice.store.DataStore;
import dev.strongroom.dataservice.store.StoreFailure;
import dev.strongroom.kit.tls.PeerCertificate;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import org.jboss.logging.Logger;

/**
 * The read side of the data plane (DESIGN §7): a record's ciphertext envelope and a tenant's record
 * list, for a caller holding a tenant token ({@code Authorization: Bearer <token>}). The token is
 * verified by the database ({@code security_set_tenant}); the reader recorded for a decrypt is the
 * token's {@code sub}, and the database refuses any other ({@code SR-TOKEN-SUBJECT}). The envelope
 * is ciphertext only; the crypto-service decrypts it for the same caller. Tokens are
 * sender-constrained (docs/tenant-tokens.md): one bound ({@code cnf}) to another client certificate
 * than the caller presents on this connection is refused ({@code 401 SR-TOKEN-CNF}) before the
 * database is asked; the binding read here is the one the database then authenticates with the
 * token's MAC, so a forged binding fails there.
 *
 * <p>Errors: {@code {"error": <SR- code or error code>, "detail": <the refusal>}} — 401 for a token
 * or binding refusal, 403 another tenant's record, 404 no such record, 400 a bad argument, 503 the
 * database is unavailable.
 */
@Path("/v1/records")
@Blocking
public class RecordsResource {
  private static final Logger LOG = Logger.getLogger(RecordsResource.class);

  private final DataStore store;

  public RecordsResource(DataStore store) {
    this.store = store;
  }

  /**
   * {@code {"recordId", "tenant", "schemaVersion", "decryptId", "createdAt", "dataKey": {…},
   * "fields": {…}}}; {@code dataKey} and {@code fields} as in {@code store.requested.v1}, so the
   * body plus {@code tenantToken} is what the crypto-service's {@code POST /v1/decrypt} takes.
   * Recorded in the audit chain (table {@code record_decrypts}) before it is returned.
   */
  @GET
  @Path("/{recordId}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response get(
      @PathParam("recordId") String recordId,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @Context HttpServerRequest http) {
    String token = bearer(authorization);
    if (token == null) {
      return error(401, "UNAUTHORIZED", "Authorization: Bearer <tenant token> is required");
    }
    if (!boundToCaller(token, http)) {
      return notBound();
    }
    try {
      DataStore.Envelope e = store.readForDecrypt(token, recordId, subjectOf(token));
      ObjectNode o = CanonicalJson.mapper().createObjectNode();
      o.put("recordId", e.recordId());
      o.put("tenant", e.tenant());
      o.put("schemaVersion", 1);
      o.put("decryptId", e.decryptId());
      o.put("createdAt", e.createdAt() == null ? null : e.createdAt().toString());
      StoreRequest asRequest =
          new StoreRequest("read", "read", e.recordId(), 1, e.dataKey(), e.fields());
      JsonNode data = asRequest.toData();
      o.set("dataKey", data.get("dataKey"));
      o.set("fields", data.get("fields"));
      return Response.ok(o).build();
    } catch (StoreFailure f) {
      return refusal(f, "read of " + recordId);
    }
  }

  /** {@code {"records": [{"recordId", "requestId", "dekId", "createdAt"}]}}, oldest first. */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Response list(
      @QueryParam("limit") @DefaultValue("100") int limit,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @Context HttpServerRequest http) {
    String token = bearer(authorization);
    if (token == null) {
      return error(401, "UNAUTHORIZED", "Authorization: Bearer <tenant token> is required");
    }
    if (!boundToCaller(token, http)) {
      return notBound();
    }
    try {
      ObjectNode o = CanonicalJson.mapper().createObjectNode();
      ArrayNode a = o.putArray("records");
      for (DataStore.Summary s : store.list(token, limit)) {
        a.addObject()
            .put("recordId", s.recordId())
            .put("requestId", s.requestId())
            .put("dekId", s.dekId())
            .put("createdAt", s.createdAt() == null ? null : s.createdAt().toString());
      }
      return Response.ok(o).build();
    } catch (StoreFailure f) {
      return refusal(f, "list");
    }
  }

  private static Response refusal(StoreFailure f, String what) {
    LOG.warnf("%s refused: %s", what, f.detail());
    if (f.retriable()) {
      return error(503, ErrorCode.UNAVAILABLE.code(), "the database is unavailable; retry");
    }
    String code = f.resultCode();
    int status =
        switch (code) {
          case "SR-CROSS-TENANT" -> 403;
          case "SR-NOT-FOUND" -> 404;
          case "SR-INVALID-ARGUMENT" -> 400;
          default -> f.code() == ErrorCode.UNAUTHORIZED ? 401 : 422;
        };
    return error(status, code, f.detail());
  }

  private static String bearer(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return null;
    }
    String t = authorization.substring("Bearer ".length()).trim();
    return t.isEmpty() ? null : t;
  }

  /**
   * The {@code sub} the token claims, read without verifying it: the database verifies the token
   * when it binds and refuses a reader that is not the bound token's {@code sub}. A token whose
   * claims cannot be read gives an empty reader, which the database refuses as well.
   */
  static String subjectOf(String token) {
    try {
      int dot = token.indexOf('.');
      byte[] claims = Base64Url.decode(token.substring(0, Math.max(dot, 0)));
      JsonNode sub =
          CanonicalJson.mapper().readTree(new String(claims, StandardCharsets.UTF_8)).get("sub");
      return sub != null && sub.isTextual() ? sub.asText() : "";
    } catch (java.io.IOException | RuntimeException e) {
      return "";
    }
  }

  /**
   * Whether the token's {@code cnf."x5t#S256"} (read unverified; the database verifies the MAC over
   * it) names the certificate the caller presented. A token whose binding cannot be read is left to
   * the database, which refuses it as malformed.
   */
  static boolean boundToCaller(String token, HttpServerRequest http) {
    String bound = claimedThumbprint(token);
    if (bound == null) {
      return true;
    }
    String presented = PeerCertificate.thumbprint(http.sslSession()).orElse("");
    return java.security.MessageDigest.isEqual(
        bound.getBytes(StandardCharsets.US_ASCII), presented.getBytes(StandardCharsets.US_ASCII));
  }

  static String claimedThumbprint(String token) {
    try {
      int dot = token.indexOf('.');
      byte[] claims = Base64Url.decode(token.substring(0, Math.max(dot, 0)));
      JsonNode h =
          CanonicalJson.mapper()
              .readTree(new String(claims, StandardCharsets.UTF_8))
              .path("cnf")
              .get("x5t#S256");
      return h != null && h.isTextual() ? h.asText() : null;
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private static Response notBound() {
    LOG.warn("read refused: SR-TOKEN-CNF (token bound to another client certificate)");
    return error(401, "SR-TOKEN-CNF", "SR-TOKEN-CNF: token is bound to another client certificate");
  }

  private static Response error(int status, String code, String detail) {
    ObjectNode o = CanonicalJson.mapper().createObjectNode();
    o.put("error", code);
    o.put("detail", detail);
    return Response.status(status).entity(o).type(MediaType.APPLICATION_JSON).build();
  }
}
