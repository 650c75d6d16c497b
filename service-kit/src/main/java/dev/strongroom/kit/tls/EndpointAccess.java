package dev.strongroom.kit.tls;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Who may call what: each HTTP request is let through only if the CN of the client certificate it
 * came with (the TLS layer has already required one and checked it chains to the stack's CA) is
 * allowed for the longest configured path prefix the request path starts with. Anything else is
 * refused with {@code 403 {"error":"FORBIDDEN","detail":"<identity> may not call <path>"}}; a path
 * no rule covers is refused too (default deny).
 *
 * <p>Before the allow-list, a caller whose certificate is on the stack CA's CRL ({@value
 * RevocationList#CONFIG_CRL}, re-read when the file changes) is refused with {@code 401
 * {"error":"REVOKED","detail":"the certificate of <identity> (serial <hex>) is revoked"}}; while no
 * trustworthy CRL can be read (missing, not signed by the CA, expired), every caller is refused
 * with {@code 503 {"error":"CRL_UNAVAILABLE",…}} (fail closed). Without {@value
 * RevocationList#CONFIG_CRL} no revocation is checked (a warning says so at start). The TLS layer
 * itself does not read the CRL: {@code ./strongroom revoke} must take effect on connections that
 * are already open, and a per-request check does.
 *
 * <p>Rules: {@code /q/} (health and metrics) is always open to {@code operator} alone; each service
 * adds its own in {@code application.properties} as {@code strongroom.http.allow."<path
 * prefix>"=<identity>[,<identity>…]}, e.g. {@code strongroom.http.allow."/v1/decrypt"=demo-app}.
 */
@ApplicationScoped
public class EndpointAccess {
  /** Configuration prefix of the rules. */
  public static final String PREFIX = "strongroom.http.allow.";

  /** Health and metrics, for the operator. */
  public static final String MANAGEMENT = "/q/";

  private static final Logger LOG = Logger.getLogger(EndpointAccess.class);

  /** Longest prefix first. */
  private final List<Map.Entry<String, Set<String>>> rules;

  /** The CA's CRL, when configured. */
  private final Optional<RevocationList> revocations;

  public EndpointAccess(Config config) {
    this.rules = rules(config);
    this.revocations =
        config
            .getOptionalValue(RevocationList.CONFIG_CRL, String.class)
            .map(
                crl ->
                    new RevocationList(
                        Path.of(crl),
                        Path.of(
                            config.getValue(
                                dev.strongroom.contracts.tls.TlsIdentity.CONFIG_CA,
                                String.class))));
    if (revocations.isEmpty()) {
      LOG.warnf(
          "no %s configured: callers with a revoked certificate are not refused",
          RevocationList.CONFIG_CRL);
    }
  }

  /** Installs the check in front of every route (JAX-RS resources and management alike). */
  void install(@Observes Router router) {
    router.route().order(Integer.MIN_VALUE).handler(this::check);
  }

  private void check(RoutingContext rc) {
    String path = rc.normalizedPath();
    Optional<X509Certificate> leaf = PeerCertificate.leaf(rc.request().sslSession());
    Optional<String> caller = leaf.flatMap(EndpointAccess::commonName);
    if (leaf.isPresent() && revocations.isPresent()) {
      RevocationList.Verdict v = revocations.get().check(leaf.get());
      if (v.status() != RevocationList.Verdict.Status.GOOD) {
        boolean revoked = v.status() == RevocationList.Verdict.Status.REVOKED;
        String who = caller.orElse(leaf.get().getSubjectX500Principal().getName());
        String detail =
            revoked
                ? "the certificate of " + who + " (" + v.detail() + ") is revoked"
                : v.detail() + "; every caller is refused until the CA's CRL can be read";
        LOG.warnf(
            "refused %s %s for %s: %s",
            rc.request().method(), LogSafe.text(path), LogSafe.text(who), LogSafe.text(detail));
        rc.response()
            .setStatusCode(revoked ? 401 : 503)
            .putHeader("Content-Type", "application/json")
            .end(
                new JsonObject()
                    .put("error", revoked ? "REVOKED" : "CRL_UNAVAILABLE")
                    .put("detail", detail)
                    .encode());
        return;
      }
    }
    Optional<Set<String>> allowed = allowedFor(path);
    if (caller.isPresent() && allowed.isPresent() && allowed.get().contains(caller.get())) {
      rc.next();
      return;
    }
    String who = caller.orElse("an unauthenticated caller");
    LOG.warnf("refused %s %s for %s", rc.request().method(), LogSafe.text(path), who);
    rc.response()
        .setStatusCode(caller.isPresent() ? 403 : 401)
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put("error", caller.isPresent() ? "FORBIDDEN" : "UNAUTHENTICATED")
                .put("detail", who + " may not call " + path)
                .encode());
  }

  /** The identities allowed on {@code path}, if a rule covers it. */
  public Optional<Set<String>> allowedFor(String path) {
    for (Map.Entry<String, Set<String>> r : rules) {
      if (path.startsWith(r.getKey())) {
        return Optional.of(r.getValue());
      }
    }
    return Optional.empty();
  }

  static Optional<String> commonName(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          return Optional.of(rdn.getValue().toString());
        }
      }
      return Optional.empty();
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
  }

  private static List<Map.Entry<String, Set<String>>> rules(Config config) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    out.put(MANAGEMENT, Set.of("operator"));
    for (String name : config.getPropertyNames()) {
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      String prefix = name.substring(PREFIX.length());
      if (prefix.length() > 1 && prefix.startsWith("\"") && prefix.endsWith("\"")) {
        prefix = prefix.substring(1, prefix.length() - 1);
      }
      if (!prefix.startsWith("/") || prefix.startsWith(MANAGEMENT)) {
        throw new IllegalStateException(
            "bad access rule " + name + ": a path prefix starting with / (not under /q/)");
      }
      Set<String> ids = new LinkedHashSet<>();
      for (String id : config.getValue(name, String.class).split(",")) {
        if (!id.isBlank()) {
          ids.add(id.trim());
        }
      }
      out.put(prefix, Set.copyOf(ids));
    }
    List<Map.Entry<String, Set<String>>> sorted = new ArrayList<>(out.entrySet());
    sorted.sort(
        Comparator.comparingInt((Map.Entry<String, Set<String>> e) -> e.getKey().length())
            .reversed());
    return List.copyOf(sorted);
  }
}
