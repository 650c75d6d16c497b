package dev.strongroom.contracts.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tenant authority's HMAC keys and the audience its tokens are for (docs/tenant-tokens.md): one
 * <em>issuing</em> key, and during a rotation the previous key, which still verifies until its
 * {@code verifyUntil} (the rotation time plus the longest lifetime plus the clock skew, so every
 * token it signed has expired by then) and is then retired.
 *
 * <p>File form (JSON, mode 0600; the devstack's {@code keys/tenant-token.key}):
 *
 * <pre>
 * {"audience":"strongroom","issuing":KID,"keys":[{"key":BASE64URL(32 bytes),"kid":KID,
 *   "verifyUntil":"2026-12-04T21:40:00Z"},…],"v":1}
 * </pre>
 *
 * The issuing key has no {@code verifyUntil}. A file holding a single base64url key (the form
 * before key ids) is read as one issuing key with its derived key id and the default audience.
 */
public final class TenantTokenKeys {
  /** The audience of a key file that names none. */
  public static final String DEFAULT_AUDIENCE = "strongroom";

  /** A key id: 1–64 of {@code [A-Za-z0-9_-]} (the database's {@code token_keys.kid}). */
  public static final Pattern KID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** One HMAC key. */
  public static final class Key {
    private final String kid;
    private final byte[] secret;
    private final Optional<Instant> verifyUntil;

    /**
     * @param kid its id ({@link #KID})
     * @param secret 32 bytes
     * @param verifyUntil when it stops verifying; empty for the issuing key
     */
    public Key(String kid, byte[] secret, Optional<Instant> verifyUntil) {
      if (!KID.matcher(kid).matches()) {
        throw new IllegalArgumentException("a key id is 1-64 of [A-Za-z0-9_-]");
      }
      if (secret.length != TenantTokens.KEY_LENGTH) {
        throw new IllegalArgumentException("a tenant-token key is 32 bytes");
      }
      this.kid = kid;
      this.secret = secret.clone();
      this.verifyUntil = Objects.requireNonNull(verifyUntil, "verifyUntil");
    }

    public String kid() {
      return kid;
    }

    /** A copy of the 32 key bytes. */
    public byte[] secret() {
      return secret.clone();
    }

    public Optional<Instant> verifyUntil() {
      return verifyUntil;
    }

    /** Whether this key still verifies at {@code now}. */
    public boolean verifiesAt(Instant now) {
      return verifyUntil.map(now::isBefore).orElse(true);
    }

    byte[] secretNoCopy() {
      return secret;
    }
  }

  private final String audience;
  private final String issuing;
  private final List<Key> keys;

  /**
   * @param audience the {@code aud} every token carries and every verifier requires (1–255
   *     characters, no control character)
   * @param issuing the id of the key that signs new tokens; it must be among {@code keys} and have
   *     no {@code verifyUntil}
   */
  public TenantTokenKeys(String audience, String issuing, List<Key> keys) {
    TenantTokens.checkName("audience", audience);
    Set<String> ids = new LinkedHashSet<>();
    for (Key k : keys) {
      if (!ids.add(k.kid())) {
        throw new IllegalArgumentException("duplicate key id " + k.kid());
      }
    }
    Key iss =
        keys.stream()
            .filter(k -> k.kid().equals(issuing))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("the issuing key is not in the set"));
    if (iss.verifyUntil().isPresent()) {
      throw new IllegalArgumentException("the issuing key must not have verifyUntil");
    }
    this.audience = audience;
    this.issuing = issuing;
    this.keys = List.copyOf(keys);
  }

  /** One issuing key with its derived id and the default audience. */
  public static TenantTokenKeys single(byte[] secret) {
    return single(secret, DEFAULT_AUDIENCE);
  }

  /** One issuing key with its derived id. */
  public static TenantTokenKeys single(byte[] secret, String audience) {
    String kid = kidOf(secret);
    return new TenantTokenKeys(audience, kid, List.of(new Key(kid, secret, Optional.empty())));
  }

  /** A fresh random issuing key with the default audience. */
  public static TenantTokenKeys generate() {
    return single(TenantTokens.generateKey());
  }

  /**
   * The derived id of {@code secret}: the first 16 characters of base64url(SHA-256("strongroom
   * tenant-token kid" || 0x00 || secret)). A one-way function of a 256-bit secret, so it names the
   * key without telling anything about it.
   */
  public static String kidOf(byte[] secret) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("strongroom tenant-token kid".getBytes(StandardCharsets.US_ASCII));
      sha.update((byte) 0);
      return Base64Url.encode(sha.digest(secret)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  public String audience() {
    return audience;
  }

  /** The key that signs new tokens. */
  public Key issuing() {
    return keys.stream().filter(k -> k.kid().equals(issuing)).findFirst().orElseThrow();
  }

  /** Every key, issuing one included. */
  public List<Key> keys() {
    return keys;
  }

  /** The key with id {@code kid}, if the set holds it. */
  public Optional<Key> key(String kid) {
    return keys.stream().filter(k -> k.kid().equals(kid)).findFirst();
  }

  /**
   * The rotation's first step: {@code secret} becomes the issuing key; the key that issued until
   * now keeps verifying until {@code now} + {@link TenantTokens#MAX_LIFETIME} + {@link
   * TenantTokens#CLOCK_SKEW} (every token it signed has expired by then). Keys already retiring are
   * kept as they are.
   */
  public TenantTokenKeys rotate(byte[] secret, Instant now) {
    String kid = kidOf(secret);
    if (key(kid).isPresent()) {
      throw new IllegalArgumentException("that key is already in the set");
    }
    Instant until = now.plus(TenantTokens.MAX_LIFETIME).plus(TenantTokens.CLOCK_SKEW);
    List<Key> out = new ArrayList<>();
    for (Key k : keys) {
      out.add(
          k.kid().equals(issuing)
              ? new Key(
                  k.kid(),
                  k.secretNoCopy(),
                  Optional.of(until.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)))
              : k);
    }
    out.add(new Key(kid, secret, Optional.empty()));
    return new TenantTokenKeys(audience, kid, out);
  }

  /**
   * The rotation's last step: the set without the keys that no longer verify at {@code now} — or,
   * with {@code immediately}, without every key but the issuing one (a compromised key: its live
   * tokens stop working at once).
   */
  public TenantTokenKeys retire(Instant now, boolean immediately) {
    List<Key> out = new ArrayList<>();
    for (Key k : keys) {
      if (k.kid().equals(issuing) || (!immediately && k.verifiesAt(now))) {
        out.add(k);
      }
    }
    return new TenantTokenKeys(audience, issuing, out);
  }

  /** The keys {@link #retire} would remove. */
  public List<Key> retirable(Instant now, boolean immediately) {
    List<Key> out = new ArrayList<>();
    for (Key k : keys) {
      if (!k.kid().equals(issuing) && (immediately || !k.verifiesAt(now))) {
        out.add(k);
      }
    }
    return out;
  }

  /** The file form (canonical JSON, one line). */
  public String toJson() {
    ObjectNode o = CanonicalJson.mapper().createObjectNode();
    o.put("v", 1);
    o.put("audience", audience);
    o.put("issuing", issuing);
    ArrayNode a = o.putArray("keys");
    for (Key k : keys) {
      ObjectNode n = a.addObject();
      n.put("kid", k.kid());
      n.put("key", Base64Url.encode(k.secretNoCopy()));
      k.verifyUntil().ifPresent(t -> n.put("verifyUntil", t.toString()));
    }
    return CanonicalJson.canonicalString(o);
  }

  /**
   * Reads the file form, or a single base64url key.
   *
   * @throws IllegalArgumentException naming what is wrong (never a key)
   */
  public static TenantTokenKeys parse(String text) {
    String t = text.trim();
    if (!t.startsWith("{")) {
      byte[] k;
      try {
        k = Base64Url.decode(t);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("a tenant-token key file is JSON or one base64url key");
      }
      return single(k);
    }
    JsonNode o = CanonicalJson.parse(t.getBytes(StandardCharsets.UTF_8));
    if (!o.path("v").isIntegralNumber()
        || o.path("v").asInt() != 1
        || !o.path("audience").isTextual()
        || !o.path("issuing").isTextual()
        || !o.path("keys").isArray()) {
      throw new IllegalArgumentException(
          "a tenant-token key file is {v:1, audience, issuing, keys:[…]}");
    }
    List<Key> keys = new ArrayList<>();
    for (JsonNode n : o.get("keys")) {
      if (!n.path("kid").isTextual() || !n.path("key").isTextual()) {
        throw new IllegalArgumentException("every key has kid and key");
      }
      Optional<Instant> until =
          n.hasNonNull("verifyUntil")
              ? Optional.of(Instant.parse(n.get("verifyUntil").asText()))
              : Optional.empty();
      byte[] secret = Base64Url.decode(n.get("key").asText());
      keys.add(new Key(n.get("kid").asText(), secret, until));
      Arrays.fill(secret, (byte) 0);
    }
    return new TenantTokenKeys(o.get("audience").asText(), o.get("issuing").asText(), keys);
  }
}
