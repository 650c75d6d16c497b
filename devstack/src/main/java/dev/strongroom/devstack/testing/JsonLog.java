package dev.strongroom.devstack.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A service log as every service writes it (issue 11): one JSON object a line, on the console and
 * in its log file ({@code quarkus-logging-json}). A request-derived value with a newline in it
 * stays inside its JSON string, so a log that is all JSON objects holds no forged line. Tests read
 * logs here to find what a service logged and to prove that no line is anything else.
 */
public final class JsonLog {
  private JsonLog() {}

  /**
   * One line of a log: its number (from 1), its text, and the JSON object it holds (empty when it
   * is not one JSON object).
   */
  public record Line(int number, String text, Optional<ObjectNode> json) {
    /** The record's {@code message}, or empty for a line that is not a log record. */
    public String message() {
      return json.map(j -> j.path("message").asText("")).orElse("");
    }
  }

  /**
   * Every complete line of {@code log} (a last line still being written, with no newline yet, is
   * left out).
   */
  public static List<Line> lines(Path log) throws IOException {
    String text = Files.readString(log, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    List<Line> lines = new ArrayList<>();
    if (end < 0) {
      return lines;
    }
    int n = 0;
    for (String t : text.substring(0, end).split("\n", -1)) {
      n++;
      lines.add(new Line(n, t, parse(t)));
    }
    return lines;
  }

  /** The lines of {@code lines} that are not one JSON object, named by number; empty if none. */
  public static List<String> malformed(List<Line> lines) {
    List<String> bad = new ArrayList<>();
    for (Line l : lines) {
      if (l.json().isEmpty()) {
        String head = l.text().length() > 80 ? l.text().substring(0, 80) + "…" : l.text();
        bad.add("line " + l.number() + " is not one JSON object: " + head);
      }
    }
    return bad;
  }

  /** Every string value of {@code node}, at any depth (what a log shipper would index). */
  public static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    collect(node, out);
    return out;
  }

  private static void collect(JsonNode node, List<String> out) {
    if (node.isTextual()) {
      out.add(node.asText());
    } else if (node.isContainerNode()) {
      node.forEach(n -> collect(n, out));
      if (node.isObject()) {
        node.fieldNames().forEachRemaining(out::add);
      }
    }
  }

  private static Optional<ObjectNode> parse(String line) {
    try {
      JsonNode n = CanonicalJson.mapper().readTree(line);
      return n != null && n.isObject() ? Optional.of((ObjectNode) n) : Optional.empty();
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
