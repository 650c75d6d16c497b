package dev.strongroom.provisioner.schema;

import static dev.strongroom.provisioner.schema.Tokens.bind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.token.InvalidTokenException;
import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.provisioner.db.ClientResult;
import dev.strongroom.provisioner.db.ServerError;
import dev.strongroom.provisioner.os.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The database agrees with contracts' {@link TenantTokens} byte for byte: tokens it issues bind in
 * SQL, the SQL HMAC equals the JDK's and {@code openssl dgst -sha256 -mac HMAC}, and for a corpus
 * of damaged tokens SQL refuses with the very code {@link TenantTokens#verify} gives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantTokenSqlIT {
  private SchemaTestInstance t;

  @BeforeAll
  void start() throws Exception {
    long t0 = System.nanoTime();
    t = new SchemaTestInstance("sr-token-");
    System.out.println(
        "[TenantTokenSqlIT] ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }

  @AfterAll
  void stop() {
    if (t != null) {
      t.close();
    }
  }

  @Test
  void tokensIssuedByTenantTokens_bindInSql() {
    for (String tenant : List.of("tenant-a", "Ünïcødé-テナント", "quote\"and/slash", "x".repeat(255))) {
      String token = t.tokens.issue(tenant, "svc", Duration.ofMinutes(15), Tokens.CNF);
      ClientResult r = t.ok("app_user", bind(token) + "CALL security_current_tenant()");
      assertEquals(tenant, r.rows().get(1).get(0), token);
      assertEquals("svc", r.rows().get(1).get(1));
    }
    // the longest lifetime TenantTokens issues
    assertEquals(
        "tenant-a",
        t.ok("app_user", bind(t.tokens.issue("tenant-a", "s", Duration.ofHours(1), Tokens.CNF)))
            .rows()
            .get(0)
            .get(0));
  }

  @Test
  void sqlHmac_equalsJdk_andOpenssl() throws Exception {
    String token = t.tokens.issue("tenant-a", "svc", Duration.ofMinutes(5), Tokens.CNF);
    String claimsPart = token.substring(0, token.indexOf('.'));
    // the MAC exactly as security_set_tenant computes it: hmac_pads over the installed key's pads
    String sqlMac =
        t.db
            .sql(
                "SELECT HEX(strongroom_security.hmac_pads(k.ipad, k.opad, '"
                    + claimsPart
                    + "'))"
                    + " FROM strongroom_security.token_keys k WHERE k.kid = '"
                    + dev.strongroom.contracts.token.TenantTokenKeys.kidOf(t.tokenKey)
                    + "'")
            .scalar();
    byte[] jdk = Tokens.hmac(t.tokenKey, claimsPart.getBytes(StandardCharsets.US_ASCII));
    assertEquals(HexFormat.of().withUpperCase().formatHex(jdk), sqlMac);
    assertEquals(
        token.substring(token.indexOf('.') + 1), Tokens.b64(HexFormat.of().parseHex(sqlMac)));
    Path msg =
        Files.writeString(t.base.resolve("claims.txt"), claimsPart, StandardCharsets.US_ASCII);
    Processes.Result o =
        Processes.run(
            List.of(
                "openssl",
                "dgst",
                "-sha256",
                "-mac",
                "HMAC",
                "-macopt",
                "hexkey:" + HexFormat.of().formatHex(t.tokenKey),
                "-r",
                msg.toString()),
            null,
            Duration.ofSeconds(20));
    assertEquals(0, o.exitCode(), o.output());
    assertEquals(sqlMac.toLowerCase(java.util.Locale.ROOT), o.stdout().strip().split(" ")[0]);
  }

  /**
   * For each token, the code TenantTokens.verify gives and the one SQL signals must be the same.
   */
  @Test
  void damagedTokens_sqlAndJavaAgreeOnTheCode() {
    byte[] key = t.tokenKey;
    long now = Tokens.now();
    String good = t.tokens.issue("tenant-a", "svc", Duration.ofMinutes(10), Tokens.CNF);
    String cp = good.substring(0, good.indexOf('.'));
    String mp = good.substring(good.indexOf('.') + 1);
    List<String> corpus =
        new ArrayList<>(
            List.of(
                good,
                "",
                ".",
                cp,
                cp + ".",
                "." + mp,
                cp + "." + mp + ".",
                cp + ".." + mp,
                cp + "=." + mp,
                cp + "." + mp + "=",
                cp + " ." + mp,
                cp + "." + mp.substring(1),
                cp.substring(1) + "." + mp,
                cp + "." + mp.substring(0, mp.length() - 1) + (mp.endsWith("A") ? "B" : "A"),
                cp.substring(0, cp.length() - 1) + (cp.endsWith("0") ? "1" : "0") + "." + mp,
                cp + "." + "A".repeat(4096),
                cp + "." + "A".repeat(70_000),
                Tokens.sign(new byte[32], Tokens.claims("tenant-a", "s", now, now + 60)),
                Tokens.sign(key, Tokens.claims("tenant-a", "s", now - 4000, now - 1)),
                Tokens.sign(key, Tokens.claims("tenant-a", "s", now - 10, now + 3590)),
                Tokens.sign(key, Tokens.claims("tenant-a", "s", now, now + 3601)),
                Tokens.sign(key, Tokens.claims("tenant-a", "s", now + 3600, now)),
                Tokens.sign(key, Tokens.claims("tenant-a", "s", now + 61 + 5, now + 600)),
                Tokens.sign(key, Tokens.claims("tenant-a", "s", now + 30, now + 600)),
                Tokens.sign(key, Tokens.claims("", "s", now, now + 60)),
                Tokens.sign(key, Tokens.claims("tenant-a", "", now, now + 60)),
                Tokens.sign(key, Tokens.claims("tenant-a ", "s", now, now + 60)),
                Tokens.sign(key, Tokens.claims("tenant-a", "s ", now, now + 60)),
                Tokens.sign(key, Tokens.claims(" tenant-a", "s", now, now + 60)),
                Tokens.sign(
                    key,
                    Tokens.claims("tenant-a", "s", now, now + 60).replace("\"v\":2", "\"v\":1")),
                Tokens.sign(
                    key, Tokens.claims("tenant-a", "s", now, now + 60).replace(",\"v\":2", "")),
                Tokens.sign(
                    key, Tokens.claims("tenant-a", "s", now, now + 60).replace("}", ",\"x\":0}")),
                Tokens.sign(
                    key,
                    Tokens.claims("tenant-a", "s", now, now + 60)
                        .replace("\"sub\":\"s\"", "\"sub\":7")),
                Tokens.sign(
                    key,
                    Tokens.claims("tenant-a", "s", now, now + 60)
                        .replace("\"iat\":" + now, "\"iat\":\"" + now + "\"")),
                Tokens.sign(
                    key,
                    Tokens.claims("tenant-a", "s", now, now + 60)
                        .replace("\"exp\":" + (now + 60), "\"exp\":" + (now + 60) + ".5")),
                Tokens.sign(key, "[1,2,3]"),
                Tokens.sign(key, "{\"v\":1"),
                Tokens.sign(key, "")));
    List<String> mismatches = new ArrayList<>();
    for (String token : corpus) {
      String java;
      try {
        t.tokens.verify(token);
        java = "OK";
      } catch (InvalidTokenException e) {
        java = e.reason();
      }
      ClientResult r = t.run("app_user", bind(token));
      String sql =
          r.ok()
              ? "OK"
              : r.error().map(ServerError::message).map(m -> m.split(":")[0]).orElse(r.stderr());
      if (!java.equals(sql)) {
        mismatches.add(token + " java=" + java + " sql=" + sql);
      }
    }
    assertEquals(List.of(), mismatches);
  }

  /**
   * Generated tokens, every one carrying a valid MAC so that only the claims decide: types of
   * {@code v}, escaped and duplicated member names, control characters and long values in {@code
   * tenant} and {@code sub}, non-UTF-8 claims bytes, odd whitespace, numbers spelled otherwise. The
   * Java and SQL verifiers must accept and refuse exactly the same set, with the same code.
   */
  @Test
  void generatedTokens_javaAndSqlRefuseExactlyTheSameSet() {
    byte[] key = t.tokenKey;
    long now = Tokens.now();
    String exp = Long.toString(now + 600);
    String iat = Long.toString(now);
    List<byte[]> claims = new ArrayList<>();
    String kid = "\"" + dev.strongroom.contracts.token.TenantTokenKeys.kidOf(key) + "\"";
    String cnf = "{\"x5t#S256\":\"" + Tokens.CNF + "\"}";
    // members in JCS order: aud, cnf, exp, iat, kid, nonce, sub, tenant, v
    java.util.function.Function<String[], String> obj =
        m ->
            "{\"aud\":"
                + m[6]
                + ",\"cnf\":"
                + m[7]
                + ",\"exp\":"
                + m[0]
                + ",\"iat\":"
                + m[1]
                + ",\"kid\":"
                + m[8]
                + ",\"nonce\":"
                + m[2]
                + ",\"sub\":"
                + m[3]
                + ",\"tenant\":"
                + m[4]
                + ",\"v\":"
                + m[5]
                + "}";
    String[] base = {
      exp,
      iat,
      "\"AAAAAAAAAAAAAAAAAAAAAA\"",
      "\"svc\"",
      "\"tenant-a\"",
      "2",
      "\"strongroom\"",
      cnf,
      kid
    };
    java.util.function.BiFunction<Integer, String, String> with =
        (i, v) -> {
          String[] m = base.clone();
          m[i] = v;
          return obj.apply(m);
        };
    // v: only the integer 2
    for (String v :
        List.of(
            "2", "2.0", "2e0", "20e-1", "\"2\"", "true", "null", "[2]", "{}", "1", "3", "0", "-2",
            "-0", "2.5", "02")) {
      claims.add(utf8(with.apply(5, v)));
    }
    // tenant and sub: control characters (escaped and raw), escapes of ordinary characters, lengths
    List<String> values = new ArrayList<>();
    for (int c : new int[] {0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9f}) {
      values.add(String.format("\"a\\u%04xb\"", c));
    }
    values.addAll(
        List.of(
            "\"a\u007fb\"",
            "\"a\u0085b\"",
            "\"a\u2028b\"",
            "\"\\u0041BC\"",
            "\"q\\\"q\"",
            "\"b\\\\s\"",
            "\"s\\/s\"",
            "\"\"",
            "\" \"",
            "\"é\"",
            "\"" + "a".repeat(255) + "\"",
            "\"" + "a".repeat(256) + "\"",
            "\"" + "é".repeat(255) + "\"",
            "\"" + "é".repeat(256) + "\"",
            "\"" + "😀".repeat(128) + "\"",
            "\"" + "😀".repeat(200) + "\"",
            "\"" + "😀".repeat(256) + "\"",
            "7",
            "null",
            "[\"tenant-a\"]"));
    for (String v : values) {
      claims.add(utf8(with.apply(4, v)));
      claims.add(utf8(with.apply(3, v)));
    }
    // nonce, iat, exp of other types and spellings
    for (String v : List.of("5", "\"\"", "null", "[]")) {
      claims.add(utf8(with.apply(2, v)));
    }
    for (String v :
        List.of(
            iat + ".0",
            iat + "e0",
            "\"" + iat + "\"",
            "-" + iat,
            "99999999999999999999",
            "1e400",
            "true")) {
      claims.add(utf8(with.apply(1, v)));
      claims.add(utf8(with.apply(0, v.equals("-" + iat) ? "-" + exp : v)));
    }
    // aud: another audience, escaped spelling of the right one, case, padding, other types
    for (String v :
        List.of(
            "\"strongroom2\"",
            "\"Strongroom\"",
            "\"strongroom \"",
            "\" strongroom\"",
            "\"strong\\u0072oom\"",
            "\"\"",
            "[\"strongroom\"]",
            "1",
            "null")) {
      claims.add(utf8(with.apply(6, v)));
    }
    // kid: another key's id, case, escaped, padded, other types
    String rawKid = kid.substring(1, kid.length() - 1);
    for (String v :
        List.of(
            "\"AAAAAAAAAAAAAAAA\"",
            "\"" + rawKid.toLowerCase(java.util.Locale.ROOT) + "\"",
            "\"" + rawKid + " \"",
            "\"\\u00" + Integer.toHexString(rawKid.charAt(0)) + rawKid.substring(1) + "\"",
            "\"\"",
            "7",
            "null")) {
      claims.add(utf8(with.apply(8, v)));
    }
    // cnf: the thumbprint's shape, the member's name and type, extra members
    String th = Tokens.CNF;
    String otherTh = Tokens.b64(new byte[32]);
    for (String v :
        List.of(
            "{\"x5t#S256\":\"" + otherTh + "\"}",
            "{\"x5t#S256\":\"" + th.substring(1) + "\"}",
            "{\"x5t#S256\":\"" + th + "A\"}",
            "{\"x5t#S256\":\"" + th.substring(0, 42) + "B\"}",
            "{\"x5t#S256\":\"" + th + "=\"}",
            "{\"x5t#S256\":\"" + th.replace('-', '+').replace('_', '/') + "\"}",
            "{\"x5t#S256\":\"" + Tokens.b64(new byte[48]) + "\"}",
            "{\"x5t\\u0023S256\":\"" + th + "\"}",
            "{\"x5t#s256\":\"" + th + "\"}",
            "{\"x5t#S256\":\"" + th + "\",\"jkt\":\"x\"}",
            "{\"x5t#S256\":\"" + th + "\",\"x5t#S256\":\"" + th + "\"}",
            "{\"x5t#S256\":7}",
            "{\"x5t#S256\":null}",
            "{}",
            "\"" + th + "\"",
            "null",
            "[\"" + th + "\"]")) {
      claims.add(utf8(with.apply(7, v)));
    }
    // member names: escaped, duplicated, extra, missing
    String good = obj.apply(base);
    claims.add(utf8(good.replace("\"v\":", "\"\\u0076\":")));
    claims.add(utf8(good.replace("\"tenant\":", "\"ten\\u0061nt\":")));
    claims.add(utf8(good.replace("\"sub\":", "\"\\u0073ub\":")));
    claims.add(utf8(good.replace("\"aud\":", "\"\\u0061ud\":")));
    claims.add(utf8(good.replace("\"kid\":", "\"k\\u0069d\":")));
    claims.add(utf8(good.replace("\"cnf\":", "\"\\u0063nf\":")));
    claims.add(utf8(good.replace("}", ",\"v\":2}")));
    claims.add(utf8(good.replace("}", ",\"tenant\":\"tenant-b\"}")));
    claims.add(utf8(good.replace("{\"aud\"", "{\"tenant\":\"tenant-b\",\"aud\"")));
    claims.add(utf8(good.replace("{\"aud\"", "{\"aud\":\"other\",\"aud\"")));
    claims.add(utf8(good.substring(0, good.length() - 1) + ",\"kid\":\"AAAAAAAAAAAAAAAA\"}"));
    claims.add(utf8(good.replace("}", ",\"x\":0}")));
    claims.add(utf8(good.replace(",\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAA\"", "")));
    claims.add(utf8(good.replace(",\"kid\":" + kid, "")));
    claims.add(utf8(good.replace("\"aud\":\"strongroom\",", "")));
    claims.add(utf8(good.replace("\"cnf\":" + cnf + ",", "")));
    claims.add(
        utf8(
            good.replace(",\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAA\"", ",\"x5t#S256\":\"" + th + "\"")));
    // whitespace and framing
    claims.add(utf8(" " + good));
    claims.add(utf8(good + "\n"));
    claims.add(utf8(good.replace(":", ": ").replace(",", ", ")));
    claims.add(utf8(good.replace("{\"x5t#S256\"", "{ \"x5t#S256\"")));
    claims.add(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(good)));
    claims.add(utf8(good + good));
    claims.add(utf8("[" + good + "]"));
    // not UTF-8 inside the tenant: a stray byte, an overlong '/', a surrogate, a cut sequence
    for (byte[] bad :
        List.of(
            new byte[] {(byte) 0xFF},
            new byte[] {(byte) 0xC0, (byte) 0xAF},
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            new byte[] {(byte) 0xE3, (byte) 0x81})) {
      String[] parts = with.apply(4, "\"t@t\"").split("@");
      claims.add(concat(concat(utf8(parts[0]), bad), utf8(parts[1])));
    }

    List<String> mismatches = new ArrayList<>();
    int accepted = 0;
    for (byte[] c : claims) {
      String claimsPart = Tokens.b64(c);
      String token = claimsPart + "." + Tokens.b64(Tokens.hmac(key, utf8(claimsPart)));
      String java;
      try {
        t.tokens.verify(token);
        java = "OK";
      } catch (InvalidTokenException e) {
        java = e.reason();
      }
      String sql;
      try {
        ClientResult r = t.run("app_user", bind(token));
        sql =
            r.ok()
                ? "OK"
                : r.error().map(ServerError::message).map(m -> m.split(":")[0]).orElse(r.stderr());
      } catch (dev.strongroom.provisioner.ProvisionerException e) {
        sql = "CLIENT " + e.getMessage();
      }
      if (!java.equals(sql)) {
        mismatches.add(
            new String(c, StandardCharsets.UTF_8).replace("\n", "\\n")
                + " java="
                + java
                + " sql="
                + sql);
      }
      accepted += "OK".equals(java) ? 1 : 0;
    }
    assertEquals(List.of(), mismatches, mismatches.size() + " of " + claims.size() + " disagree");
    // the corpus is not all refusals: the ordinary spellings bind on both sides
    assertTrue(accepted >= 10, "accepted " + accepted);
    System.out.println(
        "[TenantTokenSqlIT] "
            + claims.size()
            + " generated claims, "
            + accepted
            + " accepted by both, the rest refused with the same code");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void tokensOfTenantTokensWithOtherClocks_expiredAndFuture() {
    Instant now = Instant.now();
    String old =
        new TenantTokens(t.tokenKey, Clock.fixed(now.minus(Duration.ofHours(2)), ZoneOffset.UTC))
            .issue("tenant-a", "s", Duration.ofMinutes(15), Tokens.CNF);
    String ahead =
        new TenantTokens(t.tokenKey, Clock.fixed(now.plus(Duration.ofMinutes(5)), ZoneOffset.UTC))
            .issue("tenant-a", "s", Duration.ofMinutes(15), Tokens.CNF);
    assertEquals(
        SchemaTestInstance.signal("SR-TOKEN-EXPIRED: token expired"),
        t.refusal("app_user", bind(old)));
    assertEquals(
        SchemaTestInstance.signal("SR-TOKEN-FUTURE: token issued in the future"),
        t.refusal("app_user", bind(ahead)));
  }

  /**
   * The golden token ({@code contracts} test vectors, made outside Java) under its own key: SQL
   * gets past the format, the MAC and the claims and stops only at the clock — the vector's {@code
   * exp} lies in the past, and SQL verifies against the server's time.
   */
  @Test
  void goldenToken_passesSqlsFormatMacAndClaims_andIsRefusedOnlyAsExpired() throws Exception {
    com.fasterxml.jackson.databind.JsonNode v;
    try (java.io.InputStream in =
        getClass().getResourceAsStream("/testvectors/tenant-token/v2.json")) {
      v = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
    }
    com.fasterxml.jackson.databind.JsonNode v1;
    try (java.io.InputStream in =
        getClass().getResourceAsStream("/testvectors/tenant-token/v1.json")) {
      v1 = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
    }
    byte[] goldenKey = HexFormat.of().parseHex(v.get("key").asText());
    SchemaInstaller.rotateTokenKey(t.db, goldenKey);
    try {
      assertEquals(
          SchemaTestInstance.signal("SR-TOKEN-EXPIRED: token expired"),
          t.refusal("app_user", bind(v.get("token").asText())));
      String golden = v.get("token").asText();
      int dot = golden.indexOf('.');
      String tampered =
          golden.substring(0, dot + 1)
              + (golden.charAt(dot + 1) == 'A' ? 'B' : 'A')
              + golden.substring(dot + 2);
      assertEquals(
          SchemaTestInstance.signal("SR-TOKEN-SIGNATURE: token MAC does not verify"),
          t.refusal("app_user", bind(tampered)));
      // the v1 token (same key) is refused as malformed, as TenantTokens refuses it
      assertEquals(
          SchemaTestInstance.signal(
              "SR-TOKEN-MALFORMED: claims must be exactly v=2, tenant, sub, iat, exp, nonce, aud,"
                  + " kid, cnf"),
          t.refusal("app_user", bind(v1.get("token").asText())));
    } finally {
      SchemaInstaller.rotateTokenKey(t.db, t.tokenKey);
    }
  }

  @Test
  void keyRotation_oldTokensFail_andBindingsAreDropped() {
    byte[] oldKey = t.tokenKey.clone();
    String oldToken = t.tokens.issue("tenant-a", "s", Duration.ofMinutes(15), Tokens.CNF);
    t.ok("app_user", bind(oldToken));
    byte[] newKey = TenantTokens.generateKey();
    try {
      SchemaInstaller.rotateTokenKey(t.db, newKey);
      assertEquals(
          "0", t.db.sql("SELECT COUNT(*) FROM strongroom_security.tenant_bindings").scalar());
      assertEquals(
          SchemaTestInstance.signal("SR-TOKEN-SIGNATURE: token MAC does not verify"),
          t.refusal("app_user", bind(oldToken)));
      String fresh =
          new TenantTokens(newKey, Clock.systemUTC())
              .issue("tenant-a", "s", Duration.ofMinutes(1), Tokens.CNF);
      t.ok("app_user", bind(fresh));
      // re-installing the same key keeps bindings
      SchemaInstaller.rotateTokenKey(t.db, newKey);
      assertEquals(
          "1",
          t.db
              .sql(
                  "SELECT COUNT(*) FROM strongroom_security.tenant_bindings WHERE tenant_id = 'tenant-a'")
              .scalar());
    } finally {
      SchemaInstaller.rotateTokenKey(t.db, oldKey);
    }
  }

  /**
   * A rotation with two keys valid: the new key is added and issues, the old one verifies until its
   * verify_until, its bindings stay; then it retires by time (SR-TOKEN-KEY in Java and SQL, its
   * bindings end) and is removed (SR-TOKEN-SIGNATURE). Tokens with a kid, aud of the other key are
   * refused on both sides with the same code.
   */
  @Test
  void rotation_twoKeysVerify_thenTheOldOneRetires_javaAndSqlAgree() {
    dev.strongroom.contracts.token.TenantTokenKeys before =
        dev.strongroom.contracts.token.TenantTokenKeys.single(t.tokenKey);
    String oldToken = t.tokens.issue("tenant-a", "s", Duration.ofMinutes(15), Tokens.CNF);
    assertEquals("tenant-a", t.ok("app_user", bind(oldToken)).rows().get(0).get(0));
    byte[] newKey = TenantTokens.generateKey();
    dev.strongroom.contracts.token.TenantTokenKeys during = before.rotate(newKey, Instant.now());
    TenantTokens verifier = new TenantTokens(during, Clock.systemUTC());
    try {
      SchemaInstaller.syncTokenKeys(t.db, during);
      assertEquals("2", t.db.sql("SELECT COUNT(*) FROM strongroom_security.token_keys").scalar());
      // a binding made under the old key survives the rotation: nothing is cut off
      assertEquals(
          "1",
          t.db
              .sql(
                  "SELECT COUNT(*) > 0 FROM strongroom_security.tenant_bindings"
                      + " WHERE tenant_id = 'tenant-a' AND kid = '"
                      + before.issuing().kid()
                      + "'")
              .scalar());
      String newToken = verifier.issue("tenant-b", "s", Duration.ofMinutes(15), Tokens.CNF);
      assertEquals(during.issuing().kid(), verifier.verify(newToken).keyId());
      assertEquals(before.issuing().kid(), verifier.verify(oldToken).keyId());
      assertEquals("tenant-b", t.ok("app_user", bind(newToken)).rows().get(0).get(0));
      assertEquals("tenant-a", t.ok("app_user", bind(oldToken)).rows().get(0).get(0));
      // the old key's binding ends no later than its verify_until
      assertEquals(
          "0",
          t.db
              .sql(
                  "SELECT COUNT(*) FROM strongroom_security.tenant_bindings b JOIN"
                      + " strongroom_security.token_keys k ON k.kid = b.kid"
                      + " WHERE b.expires_at > k.verify_until")
              .scalar());
      // the old key's time is up (as if an hour had passed): refused as retired, on both sides
      t.db.sql(
          "UPDATE strongroom_security.token_keys SET verify_until = UTC_TIMESTAMP(6)"
              + " WHERE verify_until IS NOT NULL");
      TenantTokens later =
          new TenantTokens(
              during, Clock.offset(Clock.systemUTC(), TenantTokens.MAX_LIFETIME.plusMinutes(2)));
      assertEquals(
          "SR-TOKEN-KEY",
          org.junit.jupiter.api.Assertions.assertThrows(
                  InvalidTokenException.class, () -> later.verify(oldToken))
              .reason());
      assertEquals(
          SchemaTestInstance.signal("SR-TOKEN-KEY: token key retired"),
          t.refusal("app_user", bind(oldToken)));
      // retired: removed from the set; its tokens no longer verify at all
      dev.strongroom.contracts.token.TenantTokenKeys after =
          during.retire(Instant.now().plus(TenantTokens.MAX_LIFETIME.plusMinutes(2)), false);
      assertEquals(1, after.keys().size());
      SchemaInstaller.syncTokenKeys(t.db, after);
      assertEquals(
          SchemaTestInstance.signal("SR-TOKEN-SIGNATURE: token MAC does not verify"),
          t.refusal("app_user", bind(oldToken)));
      assertEquals("tenant-b", t.ok("app_user", bind(newToken)).rows().get(0).get(0));
    } finally {
      SchemaInstaller.rotateTokenKey(t.db, t.tokenKey);
    }
  }

  @Test
  void noKeyInstalled_failsClosed() {
    String token = t.tokens.issue("tenant-a", "s", Duration.ofMinutes(5), Tokens.CNF);
    t.db.sql("DELETE FROM strongroom_security.token_keys");
    try {
      assertEquals(
          SchemaTestInstance.signal("SR-TOKEN-SIGNATURE: token MAC does not verify"),
          t.refusal("app_user", bind(token)));
    } finally {
      SchemaInstaller.rotateTokenKey(t.db, t.tokenKey);
    }
    assertEquals("tenant-a", t.ok("app_user", bind(token)).rows().get(0).get(0));
  }

  @Test
  void bindingsFromBeforeARestart_meanNothing() {
    t.ok("app_user", bind(t.tokens.issue("tenant-a", "s", Duration.ofMinutes(15), Tokens.CNF)));
    assertEquals(
        true,
        Integer.parseInt(
                t.db
                    .sql(
                        "SELECT COUNT(*) FROM strongroom_security.tenant_bindings"
                            + " WHERE expires_at > UTC_TIMESTAMP(6)")
                    .scalar())
            >= 1);
    t.db.stop();
    t.db.start();
    // connection ids start again after a restart; rows left from before are still in the table,
    // unexpired, but
    // no connection holds their liveness lock, so they bind nobody
    assertEquals(
        true,
        Integer.parseInt(
                t.db
                    .sql(
                        "SELECT COUNT(*) FROM strongroom_security.tenant_bindings"
                            + " WHERE expires_at > UTC_TIMESTAMP(6)")
                    .scalar())
            >= 1);
    assertEquals(
        "0",
        t.db
            .sql(
                "SELECT COUNT(*) FROM strongroom_security.tenant_bindings"
                    + " WHERE IS_USED_LOCK(CONCAT('strongroom.binding.', liveness)) IS NOT NULL")
            .scalar());
    assertEquals(
        SchemaTestInstance.signal("SR-NO-TENANT: no tenant bound to this session"),
        t.refusal("app_user", "CALL app_list_users(1)"));
  }

  @Test
  void aBindingRow_countsOnlyWhileItsConnectionHoldsTheLivenessLock() {
    String row =
        "INSERT INTO strongroom_security.tenant_bindings VALUES (CONNECTION_ID(), 'tenant-x', 's',"
            + " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 HOUR, '00112233445566778899aabbccddeeff'"
            + ", (SELECT kid FROM strongroom_security.token_keys LIMIT 1),"
            + " (SELECT installed_at FROM strongroom_security.token_keys LIMIT 1));";
    String get = "SELECT IFNULL(strongroom_security.get_tenant(), 'NULL');";
    // a row for this very connection id, as a restart or a closed connection leaves it: not a
    // binding
    assertEquals(
        List.of("NULL"),
        t
            .db
            .sql(
                row
                    + get
                    + "DELETE FROM strongroom_security.tenant_bindings"
                    + " WHERE connection_id = CONNECTION_ID();")
            .rows()
            .stream()
            .map(r -> r.get(0))
            .toList());
    // the same row while this connection holds its lock: a binding (the control that the check is
    // the lock)
    assertEquals(
        List.of("1", "tenant-x", "0"),
        t
            .db
            .sql(
                row
                    + "SELECT GET_LOCK('strongroom.binding.00112233445566778899aabbccddeeff', 0);"
                    + get
                    + "DELETE FROM strongroom_security.tenant_bindings WHERE connection_id = CONNECTION_ID();"
                    + "SELECT COUNT(*) FROM strongroom_security.tenant_bindings WHERE connection_id = CONNECTION_ID();")
            .rows()
            .stream()
            .map(r -> r.get(0))
            .toList());
    // the same live row verified by a key that is no longer installed (a bind that raced a key
    // rotation): not a
    // binding
    assertEquals(
        List.of("1", "NULL"),
        t
            .db
            .sql(
                row.replace("token_keys LIMIT 1))", "token_keys LIMIT 1) - INTERVAL 1 MICROSECOND)")
                    + "SELECT GET_LOCK('strongroom.binding.00112233445566778899aabbccddeeff', 0);"
                    + get
                    + "DELETE FROM strongroom_security.tenant_bindings WHERE connection_id = CONNECTION_ID();")
            .rows()
            .stream()
            .map(r -> r.get(0))
            .toList());
    // a client that drops its locks drops its binding: it fails closed
    String token = t.tokens.issue("tenant-a", "s", Duration.ofMinutes(5), Tokens.CNF);
    assertEquals(
        SchemaTestInstance.signal("SR-NO-TENANT: no tenant bound to this session"),
        t.refusal("app_user", bind(token) + "DO RELEASE_ALL_LOCKS(); CALL app_list_users(1);"));
  }

  @Test
  void expiredBindings_arePurgedByTheEvent_andAnOpenTransactionBlocksNoOtherBind()
      throws Exception {
    String expired =
        "INSERT INTO strongroom_security.tenant_bindings VALUES (%d, 'tenant-x', 's', UTC_TIMESTAMP(6) - INTERVAL 2 HOUR,"
            + " UTC_TIMESTAMP(6) - INTERVAL 1 HOUR, '00112233445566778899aabbccddeeff'"
            + ", (SELECT kid FROM strongroom_security.token_keys LIMIT 1),"
            + " (SELECT installed_at FROM strongroom_security.token_keys LIMIT 1));";
    t.db.sql(String.format(expired, 900001) + String.format(expired, 900002));
    // a caller binds inside a transaction it keeps open; binding used to purge (and so lock) every
    // expired row,
    // which made every other bind wait for that transaction
    Thread open =
        new Thread(
            () ->
                t.run(
                    "app_user",
                    "START TRANSACTION; "
                        + bind(t.tokens.issue("tenant-a", "s", Duration.ofMinutes(5), Tokens.CNF))
                        + " DO SLEEP(8); COMMIT;"));
    open.start();
    Thread.sleep(1500);
    long t0 = System.nanoTime();
    assertEquals(
        "tenant-b",
        t.ok("app_user", bind(t.tokens.issue("tenant-b", "s", Duration.ofMinutes(5), Tokens.CNF)))
            .rows()
            .get(0)
            .get(0));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(true, ms < 5000, "the second bind waited " + ms + " ms for the open transaction");
    open.join();
    // the purge is an event owned by api_definer, every minute; its procedure is called here
    // directly
    assertEquals(
        List.of(List.of("api_definer@localhost", "ENABLED", "60", "SECOND")),
        t.db
            .sql(
                "SELECT DEFINER, STATUS,"
                    + " INTERVAL_VALUE, INTERVAL_FIELD FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'strongroom_security'"
                    + " AND EVENT_NAME = 'purge_expired_bindings'")
            .rows());
    assertEquals(
        "0",
        t.db
            .sql(
                "CALL strongroom_security.purge_expired_bindings(@n); SELECT COUNT(*)"
                    + " FROM strongroom_security.tenant_bindings WHERE connection_id IN (900001, 900002)")
            .scalar());
    assertEquals(
        "0",
        t.db
            .sql(
                "SELECT COUNT(*) FROM strongroom_security.tenant_bindings WHERE expires_at <= UTC_TIMESTAMP(6)")
            .scalar());
    assertEquals(
        new ServerError(
            1370,
            "42000",
            "execute command denied to user 'app_user'@'127.0.0.1' for routine"
                + " 'strongroom_security.purge_expired_bindings'"),
        t.refusal("app_user", "CALL strongroom_security.purge_expired_bindings(@n)"));
  }
}
