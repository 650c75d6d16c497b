package dev.strongroom.contracts.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Typed {@code data} of {@code dev.strongroom.security.alert.v1}: {@code
 * {"kind","severity","detail", "related":{name: string|integer}}}. The schema is {@code
 * schemas/dev.strongroom.security.alert.v1.schema.json}.
 */
public record SecurityAlert(
    AlertKind kind, Severity severity, String detail, Map<String, Object> related) {
  public SecurityAlert {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(detail, "detail");
    if (detail.isEmpty()) {
      throw new IllegalArgumentException("detail must not be empty");
    }
    if (detail.length() > 2000) {
      detail = detail.substring(0, 1999) + "…";
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    related.forEach(
        (k, v) -> {
          if (!(v instanceof String || v instanceof Integer || v instanceof Long)) {
            throw new IllegalArgumentException("related values are strings or integers: " + k);
          }
          copy.put(k, v);
        });
    related = Map.copyOf(copy);
  }

  /** The JSON {@code data} object. */
  public ObjectNode toData() {
    ObjectNode data = CanonicalJson.mapper().createObjectNode();
    data.put("kind", kind.name());
    data.put("severity", severity.name());
    data.put("detail", detail);
    ObjectNode rel = data.putObject("related");
    related.forEach(
        (k, v) -> {
          if (v instanceof String s) {
            rel.put(k, s.length() > 512 ? s.substring(0, 512) : s);
          } else {
            rel.put(k, ((Number) v).longValue());
          }
        });
    return data;
  }

  /** Reads schema-valid {@code data}. */
  public static SecurityAlert fromData(JsonNode data) {
    Map<String, Object> related = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : data.path("related").properties()) {
      related.put(
          e.getKey(),
          e.getValue().isIntegralNumber()
              ? (Object) e.getValue().longValue()
              : e.getValue().asText());
    }
    return new SecurityAlert(
        AlertKind.valueOf(data.path("kind").asText()),
        Severity.valueOf(data.path("severity").asText()),
        data.path("detail").asText(),
        related);
  }
}
