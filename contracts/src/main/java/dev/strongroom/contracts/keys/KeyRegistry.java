package dev.strongroom.contracts.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.errors.InvalidConfigurationException;
import dev.strongroom.contracts.internal.EventTime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key registry of DESIGN §3: {@code
 * {"version":1,"keys":[{"kid","publicKey","source","types":[…], "notBefore","notAfter",
 * "certThumbprints":[…]}]}}. {@code publicKey} is base64url (no padding) of the raw 32-byte key,
 * the instants are RFC 3339 UTC. Private keys never appear here.
 *
 * <p>{@code certThumbprints} (an addition to DESIGN §3, docs/decisions.md) is present on an
 * application's key only, and absent (never empty) on every other: the RFC 8705 {@code x5t#S256} of
 * each TLS client certificate the key's holder presents, so that a tenant token inside an event
 * signed with the key must be bound ({@code cnf}) to one of them ({@link RegisteredKey#isBoundTo}).
 *
 * <p>Loading is strict: an unknown version, a duplicate kid, a kid that is not the hash of its key,
 * or a thumbprint that is not base64url of 32 bytes (or is listed twice, or an empty list) makes
 * the whole registry invalid. Entries keep the order they were given or read in, so {@link
 * #toJson()} writes the same bytes for the same registry.
 */
public final class KeyRegistry {
  public static final int VERSION = 1;

  /** The entry member naming the client certificates an application's key is bound to. */
  public static final String CERT_THUMBPRINTS = "certThumbprints";

  private final Map<String, RegisteredKey> byKid;

  private KeyRegistry(Map<String, RegisteredKey> byKid) {
    // insertion order (Map.copyOf's order changes from one JVM to the next)
    this.byKid = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byKid));
  }

  /** A registry holding exactly {@code keys}. */
  public static KeyRegistry of(Collection<RegisteredKey> keys) {
    Map<String, RegisteredKey> map = new LinkedHashMap<>();
    for (RegisteredKey k : keys) {
      if (map.putIfAbsent(k.kid(), k) != null) {
        throw new InvalidConfigurationException("duplicate kid in key registry: " + k.kid());
      }
    }
    return new KeyRegistry(map);
  }

  /** Reads and validates a registry file. */
  public static KeyRegistry load(Path file) {
    try {
      return parse(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new InvalidConfigurationException(
          "cannot read key registry " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses and validates registry JSON. */
  public static KeyRegistry parse(byte[] json) {
    try {
      JsonNode root = CanonicalJson.parse(json);
      if (!root.isObject()
          || root.path("version").asInt(-1) != VERSION
          || !root.path("keys").isArray()) {
        throw new InvalidConfigurationException(
            "key registry must be {\"version\":1,\"keys\":[…]}");
      }
      List<RegisteredKey> keys = new ArrayList<>();
      for (JsonNode k : root.get("keys")) {
        List<String> types = new ArrayList<>();
        for (JsonNode t : required(k, "types", true)) {
          types.add(t.asText());
        }
        List<String> thumbprints = new ArrayList<>();
        if (k.has(CERT_THUMBPRINTS)) {
          JsonNode list = required(k, CERT_THUMBPRINTS, true);
          if (list.isEmpty()) {
            throw new IllegalArgumentException(
                "key entry has an empty " + CERT_THUMBPRINTS + " (leave it out instead)");
          }
          for (JsonNode t : list) {
            if (!t.isTextual()) {
              throw new IllegalArgumentException(CERT_THUMBPRINTS + " must hold strings");
            }
            thumbprints.add(t.asText());
          }
        }
        keys.add(
            new RegisteredKey(
                required(k, "kid", false).asText(),
                Base64Url.decode(required(k, "publicKey", false).asText()),
                required(k, "source", false).asText(),
                types,
                EventTime.parse(required(k, "notBefore", false).asText()),
                EventTime.parse(required(k, "notAfter", false).asText()),
                thumbprints));
      }
      return of(keys);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigurationException("invalid key registry: " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode entry, String field, boolean array) {
    JsonNode v = entry.get(field);
    if (v == null || (array ? !v.isArray() : !v.isTextual())) {
      throw new IllegalArgumentException(
          "key entry lacks " + (array ? "array " : "string ") + field);
    }
    return v;
  }

  /** The key with id {@code kid}, if registered. */
  public Optional<RegisteredKey> find(String kid) {
    return Optional.ofNullable(byKid.get(kid));
  }

  /** All keys. */
  public Collection<RegisteredKey> keys() {
    return byKid.values();
  }

  /** The registry as JSON, in the documented shape (canonical form). */
  public byte[] toJson() {
    ObjectNode root = CanonicalJson.mapper().createObjectNode();
    root.put("version", VERSION);
    ArrayNode arr = root.putArray("keys");
    for (RegisteredKey k : byKid.values()) {
      ObjectNode e = arr.addObject();
      e.put("kid", k.kid());
      e.put("publicKey", Base64Url.encode(k.publicKey()));
      e.put("source", k.source());
      ArrayNode types = e.putArray("types");
      k.types().forEach(types::add);
      e.put("notBefore", EventTime.format(k.notBefore()));
      e.put("notAfter", EventTime.format(k.notAfter()));
      if (!k.certThumbprints().isEmpty()) {
        ArrayNode thumbprints = e.putArray(CERT_THUMBPRINTS);
        k.certThumbprints().forEach(thumbprints::add);
      }
    }
    return CanonicalJson.canonicalize(root);
  }

  /** Writes {@link #toJson()} to {@code file} atomically. */
  public void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, toJson());
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Convenience for building registries: an entry for {@code key}. */
  public static RegisteredKey entry(
      SigningKey key, String source, List<String> types, Instant notBefore, Instant notAfter) {
    return new RegisteredKey(key.kid(), key.publicKey(), source, types, notBefore, notAfter);
  }

  /**
   * Convenience for building registries: an application's entry for {@code key}, bound to the
   * client certificates {@code certThumbprints} ({@code x5t#S256}, at least one).
   */
  public static RegisteredKey entry(
      SigningKey key,
      String source,
      List<String> types,
      Instant notBefore,
      Instant notAfter,
      List<String> certThumbprints) {
    if (certThumbprints.isEmpty()) {
      throw new IllegalArgumentException(
          "an application's key is bound to at least one certificate");
    }
    return new RegisteredKey(
        key.kid(), key.publicKey(), source, types, notBefore, notAfter, certThumbprints);
  }

  @Override
  public String toString() {
    return "KeyRegistry" + byKid.keySet();
  }
}
