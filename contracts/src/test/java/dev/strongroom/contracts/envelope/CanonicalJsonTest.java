package dev.strongroom.contracts.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CanonicalJson#canonicalize} writes the canonical bytes straight from the tree; the JCS
 * reference implementation (serialise, then {@code JsonCanonicalizer}) is the oracle. A signature
 * is over these bytes, so one differing byte would make every signer and verifier disagree.
 */
class CanonicalJsonTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Test
  void generatedTrees_matchTheReferenceImplementation_byteForByte() {
    SplittableRandom random = new SplittableRandom(8785);
    for (int i = 0; i < 5_000; i++) {
      JsonNode tree = object(random, 0);
      assertArrayEquals(
          CanonicalJson.canonicalizeByReference(tree),
          CanonicalJson.canonicalize(tree),
          () -> "tree " + tree);
    }
  }

  @Test
  void everyCharacterOfTheBasicPlane_andASupplementaryOne_isWrittenAsTheReferenceWritesIt() {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0xD800; c++) {
      all.append(c);
    }
    for (char c = 0xE000; c != 0; c++) {
      all.append(c);
    }
    all.append("\uD83D\uDE00"); // a surrogate pair: one code point, four UTF-8 bytes
    ObjectNode tree = F.objectNode().put(all.toString(), all.toString());
    assertArrayEquals(
        CanonicalJson.canonicalizeByReference(tree), CanonicalJson.canonicalize(tree));
  }

  @Test
  void rfc8785Examples() {
    // RFC 8785 §3.2.2.3 number examples and §3.2.3 member sorting by UTF-16 code units
    ObjectNode numbers = F.objectNode();
    numbers.put("a", 1e30).put("b", 4.50).put("c", 2e-3).put("d", 0.000000000000000000000000001);
    numbers
        .put("e", -0.0)
        .put("f", Double.parseDouble("333333333.33333329"))
        .put("g", 9007199254740991L);
    assertEquals(
        "{\"a\":1e+30,\"b\":4.5,\"c\":0.002,\"d\":1e-27,\"e\":0,\"f\":333333333.3333333,"
            + "\"g\":9007199254740991}",
        new String(CanonicalJson.canonicalize(numbers), StandardCharsets.UTF_8));
    ObjectNode sorting = F.objectNode();
    sorting.put("\u20ac", "Euro Sign").put("\r", "Carriage Return").put("\ufb33", "Hebrew");
    sorting
        .put("1", "One")
        .put("\uD83D\uDE00", "Emoji")
        .put("\u0080", "Control")
        .put("\u00f6", "o");
    assertEquals(
        "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"o\","
            + "\"\u20ac\":\"Euro Sign\",\"\uD83D\uDE00\":\"Emoji\",\"\ufb33\":\"Hebrew\"}",
        new String(CanonicalJson.canonicalize(sorting), StandardCharsets.UTF_8));
  }

  @Test
  void anUnpairedSurrogate_isRefusedByTheParser_soTwoStringsCannotShareOneSignature() {
    // "a\ud800" would canonicalise to the bytes of "a?" (UTF-8 cannot encode a lone surrogate)
    for (String json :
        List.of(
            "{\"x\":\"a\\ud800\"}",
            "{\"x\":\"\\udc00b\"}",
            "{\"a\\ud800\":1}",
            "{\"x\":[\"\\ud83d\"]}")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> CanonicalJson.parse(json.getBytes(StandardCharsets.UTF_8)),
              json);
      assertTrue(e.getMessage().startsWith("unpaired surrogate at $"), e.getMessage());
    }
    // a pair written as two escapes is one code point, accepted and written as its UTF-8
    JsonNode pair =
        CanonicalJson.parse("{\"x\":\"\\ud83d\\ude00\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(
        "{\"x\":\"\uD83D\uDE00\"}",
        new String(CanonicalJson.canonicalize(pair), StandardCharsets.UTF_8));
  }

  @Test
  void aNumberThatIsNotFinite_isRefused() {
    ObjectNode nan = F.objectNode().put("x", Double.NaN);
    assertEquals(
        "cannot canonicalise a number that is not finite",
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalize(nan))
            .getMessage());
  }

  private static ObjectNode object(SplittableRandom r, int depth) {
    ObjectNode o = F.objectNode();
    int n = r.nextInt(depth == 0 ? 1 : 0, 8);
    for (int i = 0; i < n; i++) {
      o.set(string(r), value(r, depth + 1));
    }
    return o;
  }

  private static JsonNode value(SplittableRandom r, int depth) {
    int kind = r.nextInt(depth > 3 ? 8 : 10);
    return switch (kind) {
      case 0 -> F.textNode(string(r));
      case 1 -> F.numberNode(r.nextLong(-(1L << 53), (1L << 53) + 1));
      case 2 -> F.numberNode(r.nextInt(-1000, 1000));
      case 3 -> F.numberNode(finiteDouble(r)); // any bit pattern that is a finite double
      case 4 -> F.numberNode(r.nextDouble() * Math.pow(10, r.nextInt(-30, 30)));
      case 5 -> F.numberNode(new BigDecimal(BigInteger.valueOf(r.nextLong()), r.nextInt(-5, 20)));
      case 6 -> F.booleanNode(r.nextBoolean());
      case 7 -> F.nullNode();
      case 8 -> object(r, depth);
      default -> {
        ArrayNode a = F.arrayNode();
        int n = r.nextInt(0, 5);
        for (int i = 0; i < n; i++) {
          a.add(value(r, depth + 1));
        }
        yield a;
      }
    };
  }

  private static double finiteDouble(SplittableRandom r) {
    double d;
    do {
      d = Double.longBitsToDouble(r.nextLong());
    } while (!Double.isFinite(d));
    return d;
  }

  private static String string(SplittableRandom r) {
    StringBuilder s = new StringBuilder();
    int n = r.nextInt(0, 12);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(5)) {
        case 0 -> s.append((char) r.nextInt(0, 0x20)); // controls
        case 1 -> s.append("\"\\/\u007f\u2028".charAt(r.nextInt(5)));
        case 2 -> s.appendCodePoint(r.nextInt(0x10000, 0x110000)); // supplementary
        case 3 -> s.append((char) r.nextInt(0x80, 0xD800));
        default -> s.append((char) r.nextInt(0x20, 0x7f));
      }
    }
    return s.toString();
  }
}
