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
import java.util.Map;
import org.erdtman.jcs.JsonCanonicalizer;

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
    checkNumbers(tree, "$");
    return tree;
  }

  /** The RFC 8785 canonical UTF-8 bytes of {@code tree}. */
  public static byte[] canonicalize(JsonNode tree) {
    try {
      return new JsonCanonicalizer(MAPPER.writeValueAsString(tree)).getEncodedUTF8();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot canonicalise: " + e.getMessage(), e);
    }
  }

  /** {@link #canonicalize(JsonNode)} as a string. */
  public static String canonicalString(JsonNode tree) {
    return new String(canonicalize(tree), StandardCharsets.UTF_8);
  }

  private static void checkNumbers(JsonNode node, String path) {
    if (node.isIntegralNumber()) {
      BigInteger v = node.bigIntegerValue();
      if (v.abs().compareTo(BigInteger.valueOf(MAX_SAFE_INTEGER)) > 0) {
        throw new IllegalArgumentException(
            "integer outside ±2^53 at " + path + " (send it as a string)");
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        checkNumbers(e.getValue(), path + "." + e.getKey());
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkNumbers(node.get(i), path + "[" + i + "]");
      }
    }
  }
}
