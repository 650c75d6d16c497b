package dev.strongroom.proof.waiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.encoding.Base64Url;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.contracts.keys.Ed25519Keys;
import dev.strongroom.contracts.keys.SigningKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A signed waiver file:
 *
 * <pre>{"version":1,
 *  "waivers":[{"control":"SR-HOST-FIPS-01","reason":"…","expires":"2027-01-31T00:00:00Z",
 *              "approver":"alice@example.com"}],
 *  "signature":{"alg":"ed25519","kid":"&lt;base64url SHA-256 of the raw public key&gt;",
 *               "sig":"&lt;base64url Ed25519 signature&gt;"}}</pre>
 *
 * The signed bytes are the RFC 8785 (JCS) serialisation of the object without {@code signature}
 * (the event envelope's rule, DESIGN §3), so any whitespace or member order verifies, and any edit
 * of a control, reason, expiry or approver does not. Parsing is strict: unknown members, a control
 * named twice, an expiry that is not an RFC 3339 UTC instant, or a missing signature are refused.
 * Which keys may approve is the caller's choice ({@code prove} trusts the operator key of the
 * stack's key registry).
 */
public final class WaiverFile {
  private static final Pattern CONTROL = Pattern.compile("SR-[A-Z]+(-[A-Z0-9]+)*-[0-9]{2}");

  private final List<Waiver> waivers;
  private final String kid;
  private final byte[] raw;

  private WaiverFile(List<Waiver> waivers, String kid, byte[] raw) {
    this.waivers = List.copyOf(waivers);
    this.kid = kid;
    this.raw = raw.clone();
  }

  /** The waivers, in file order. */
  public List<Waiver> waivers() {
    return waivers;
  }

  /** The key id that signed the file. */
  public String kid() {
    return kid;
  }

  /** The file exactly as read (what the bundle keeps). */
  public byte[] raw() {
    return raw.clone();
  }

  /** Signs {@code waivers} with {@code approverKey}: the bytes of a waiver file. */
  public static byte[] sign(List<Waiver> waivers, SigningKey approverKey) {
    ObjectNode root = body(waivers);
    byte[] sig = approverKey.sign(CanonicalJson.canonicalize(root));
    root.putObject("signature")
        .put("alg", "ed25519")
        .put("kid", approverKey.kid())
        .put("sig", Base64Url.encode(sig));
    try {
      return (CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root)
              + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode body(List<Waiver> waivers) {
    ObjectNode root = CanonicalJson.mapper().createObjectNode();
    root.put("version", 1);
    ArrayNode arr = root.putArray("waivers");
    for (Waiver w : waivers) {
      arr.addObject()
          .put("control", w.control())
          .put("reason", w.reason())
          .put("expires", w.expires().toString())
          .put("approver", w.approver());
    }
    return root;
  }

  /**
   * Parses and verifies {@code bytes}: the signature must verify under one of {@code
   * trustedApprovers} (raw Ed25519 public keys).
   *
   * @throws WaiverException naming what is wrong
   */
  public static WaiverFile verify(byte[] bytes, Collection<byte[]> trustedApprovers) {
    JsonNode root = root(bytes);
    JsonNode sigNode = root.get("signature");
    if (sigNode == null || !sigNode.isObject()) {
      throw new WaiverException("waiver file is not signed (no signature object)");
    }
    only(sigNode, "signature", "alg", "kid", "sig");
    if (!"ed25519".equals(sigNode.path("alg").asText())) {
      throw new WaiverException("waiver signature alg must be ed25519");
    }
    String kid = sigNode.path("kid").asText();
    byte[] sig;
    try {
      sig = Base64Url.decode(sigNode.path("sig").asText());
    } catch (IllegalArgumentException e) {
      throw new WaiverException("waiver signature is not base64url");
    }
    ObjectNode unsigned = ((ObjectNode) root).deepCopy();
    unsigned.remove("signature");
    byte[] signed = CanonicalJson.canonicalize(unsigned);
    byte[] key =
        trustedApprovers.stream()
            .filter(k -> Ed25519Keys.kid(k).equals(kid))
            .findFirst()
            .orElseThrow(
                () ->
                    new WaiverException(
                        "waiver file is signed by " + kid + ", which may not approve waivers"));
    if (!Ed25519Keys.verify(key, signed, sig)) {
      throw new WaiverException(
          "waiver signature does not verify under " + kid + " (the file was edited)");
    }
    return new WaiverFile(waivers(root), kid, bytes);
  }

  /**
   * Parses the waivers of a file that is to be signed ({@code sign-waivers}): {@code
   * {"version":1,"waivers":[…]}} with the same strict rules as {@link #verify}; a {@code signature}
   * member, if present, is ignored (signing replaces it).
   *
   * @throws WaiverException naming what is wrong
   */
  public static List<Waiver> parseUnsigned(byte[] bytes) {
    JsonNode root = root(bytes);
    return waivers(root);
  }

  private static JsonNode root(byte[] bytes) {
    JsonNode root;
    try {
      root = CanonicalJson.parse(bytes);
    } catch (RuntimeException e) {
      throw new WaiverException("waiver file is not strict JSON: " + e.getMessage());
    }
    if (!root.isObject()) {
      throw new WaiverException("waiver file is not a JSON object");
    }
    only(root, "waiver file", "version", "waivers", "signature");
    if (root.path("version").asInt(-1) != 1 || !root.path("version").isInt()) {
      throw new WaiverException("waiver file version must be 1");
    }
    return root;
  }

  private static List<Waiver> waivers(JsonNode root) {
    JsonNode arr = root.get("waivers");
    if (arr == null || !arr.isArray()) {
      throw new WaiverException("waiver file has no waivers array");
    }
    List<Waiver> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode w : arr) {
      if (!w.isObject()) {
        throw new WaiverException("a waiver is not an object");
      }
      only(w, "waiver", "control", "reason", "expires", "approver");
      String control = text(w, "control");
      if (!CONTROL.matcher(control).matches()) {
        throw new WaiverException("not a control id: " + control);
      }
      if (!seen.add(control)) {
        throw new WaiverException("control waived twice: " + control);
      }
      String expires = text(w, "expires");
      Instant until;
      try {
        if (!expires.endsWith("Z")) {
          throw new DateTimeParseException("not UTC", expires, 0);
        }
        until = Instant.parse(expires);
      } catch (DateTimeParseException e) {
        throw new WaiverException(
            "expires of " + control + " is not an RFC 3339 UTC instant: " + expires);
      }
      out.add(new Waiver(control, text(w, "reason"), until, text(w, "approver")));
    }
    return out;
  }

  private static String text(JsonNode n, String member) {
    JsonNode v = n.get(member);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new WaiverException("waiver member " + member + " missing or not a string");
    }
    return v.asText();
  }

  private static void only(JsonNode n, String what, String... allowed) {
    Set<String> ok = Set.of(allowed);
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!ok.contains(f)) {
        throw new WaiverException(what + " has an unknown member: " + f);
      }
    }
  }
}
