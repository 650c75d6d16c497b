package dev.strongroom.contracts.envelope;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.erdtman.jcs.JsonCanonicalizer;
import org.erdtman.jcs.NumberToJSON;

/**
 * Strict JSON parsing and RFC 8785 (JCS) canonicalisation of a parsed tree.
 *
 * <p>Parsing is strict on purpose: the bytes must be valid UTF-8 without a byte-order mark, objects
 * may not repeat a member name, nothing may follow the value, and integers must stay within ±2^53
 * (larger values travel as strings, DESIGN §3). Canonicalisation is done by the JCS reference
 * implementation ({@code io.github.erdtman:java-json-canonicalization}) over our own parsed tree,
 * so that no SDK sees or re-formats the event before its signature is checked.
 */
public final class CanonicalJson {
  /** The interoperable integer range of RFC 8785 / I-JSON: ±(2^53). */
  public static final long MAX_SAFE_INTEGER = (1L << 53);

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(JsonParser.Feature.ALLOW_COMMENTS)
          .build();

  private CanonicalJson() {}

  /** The shared, strictly configured mapper (thread-safe). */
  public static JsonMapper mapper() {
    return MAPPER;
  }

  /**
   * Parses UTF-8 JSON strictly.
   *
   * @throws IllegalArgumentException with a short reason when the bytes are not acceptable JSON
   */
  public static JsonNode parse(byte[] utf8) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(utf8))
              .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("not valid UTF-8");
    }
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      throw new IllegalArgumentException("byte-order mark not allowed");
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      // Location only: the parser's message quotes input, and input is never echoed into logs or
      // headers.
      var loc = e.getLocation();
      throw new IllegalArgumentException(
          "unparsable JSON"
              + (loc == null
                  ? ""
                  : " at line " + loc.getLineNr() + " column " + loc.getColumnNr()));
    }
    if (tree == null || tree.isMissingNode()) {
      throw new IllegalArgumentException("empty input");
    }
    checkTree(tree, "$");
    return tree;
  }

  /**
   * The RFC 8785 canonical UTF-8 bytes of {@code tree}, written straight from the tree: members
   * sorted by their names' UTF-16 code units, strings escaped as ECMAScript's {@code
   * JSON.stringify} does ({@code \b \t \n \f \r \" \\}, other controls as {@code u00xx} escapes in
   * lowercase hex, everything else literal), numbers as the IEEE double they denote in ECMAScript's
   * shortest form (the JCS reference implementation's {@link NumberToJSON}). Byte for byte what the
   * reference implementation's {@link JsonCanonicalizer} makes of the tree's serialisation — {@code
   * CanonicalJsonTest} checks that on generated trees — without serialising the tree and parsing it
   * again (that round trip was a tenth of a service's time per event).
   *
   * @throws IllegalArgumentException for a number that is not finite
   */
  public static byte[] canonicalize(JsonNode tree) {
    StringBuilder out = new StringBuilder(256);
    write(tree, out);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The reference implementation's canonical bytes of {@code tree}: serialise, then canonicalise
   * the text with {@link JsonCanonicalizer}. Slower; kept as the oracle {@link #canonicalize} is
   * tested against.
   */
  public static byte[] canonicalizeByReference(JsonNode tree) {
    try {
      return new JsonCanonicalizer(MAPPER.writeValueAsString(tree)).getEncodedUTF8();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot canonicalise: " + e.getMessage(), e);
    }
  }

  private static void write(JsonNode node, StringBuilder out) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.size());
        node.properties().forEach(members::add);
        members.sort(Map.Entry.comparingByKey()); // String order: UTF-16 code units, as JCS
        out.append('{');
        for (int i = 0; i < members.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          writeString(members.get(i).getKey(), out);
          out.append(':');
          write(members.get(i).getValue(), out);
        }
        out.append('}');
      }
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(node.get(i), out);
        }
        out.append(']');
      }
      case STRING -> writeString(node.textValue(), out);
      case NUMBER -> out.append(number(node));
      case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
      case NULL -> out.append("null");
      default ->
          throw new IllegalArgumentException(
              "cannot canonicalise a " + node.getNodeType() + " node");
    }
  }

  private static String number(JsonNode n) {
    double v;
    if (n.isFloat()) {
      v = Double.parseDouble(Float.toString(n.floatValue())); // as its text would parse
    } else if (n.isDouble() || (n.isIntegralNumber() && n.canConvertToLong())) {
      v = n.doubleValue(); // a long's double rounds as parsing its digits does
    } else {
      v = Double.parseDouble(n.asText()); // big integers and decimals: their text, as JCS reads it
    }
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("cannot canonicalise a number that is not finite");
    }
    try {
      return NumberToJSON.serializeNumber(v);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot canonicalise: " + e.getMessage(), e);
    }
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** {@link #canonicalize(JsonNode)} as a string. */
  public static String canonicalString(JsonNode tree) {
    return new String(canonicalize(tree), StandardCharsets.UTF_8);
  }

  /**
   * Integers within ±2^53, and no unpaired surrogate in a string or a member name: I-JSON (RFC
   * 7493), which RFC 8785 requires. A {@code "\\ud800"} escape parses into a lone surrogate that
   * UTF-8 cannot encode — the canonical bytes would carry a replacement character, so two different
   * strings would share one signature.
   */
  private static void checkTree(JsonNode node, String path) {
    if (node.isTextual()) {
      checkString(node.textValue(), path);
    } else if (node.isIntegralNumber()) {
      BigInteger v = node.bigIntegerValue();
      if (v.abs().compareTo(BigInteger.valueOf(MAX_SAFE_INTEGER)) > 0) {
        throw new IllegalArgumentException(
            "integer outside ±2^53 at " + path + " (send it as a string)");
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        checkString(e.getKey(), path + " (a member name)");
        checkTree(e.getValue(), path + "." + e.getKey());
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkTree(node.get(i), path + "[" + i + "]");
      }
    }
  }

  private static void checkString(String s, String path) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++; // a pair: one code point
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException("unpaired surrogate at " + path + " (not I-JSON)");
      }
    }
  }
}
