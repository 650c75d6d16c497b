package dev.strongroom.devstack.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code .strongroom/stack.json} (DESIGN §7, normative): nested objects, absolute paths. Only parts that
 * exist are written: today {@code version}, {@code kafka.bootstrap}, {@code kafka.logDir}, {@code
 * services.<crypto|data|audit|provisioner|proof>} (plain http on loopback until the PKI lands) and
 * {@code logs.dir}. Later capabilities add {@code db.*}, {@code clients.*}, {@code worm.*}, {@code
 * audit.*}, {@code evidence.*}.
 */
public record StackDescriptor(String kafkaBootstrap, Path kafkaLogDir, Map<ServiceModule, String> services, Path logsDir) {
  public static final int VERSION = 1;

  public StackDescriptor {
    services = java.util.Collections.unmodifiableMap(new EnumMap<>(services)); // DESIGN order
  }

  public byte[] toJson() {
    ObjectNode root = CanonicalJson.mapper().createObjectNode();
    root.put("version", VERSION);
    ObjectNode kafka = root.putObject("kafka");
    kafka.put("bootstrap", kafkaBootstrap);
    kafka.put("logDir", kafkaLogDir.toAbsolutePath().toString());
    ObjectNode svc = root.putObject("services");
    for (ServiceModule s : ServiceModule.values()) {
      if (services.containsKey(s)) {
        svc.put(s.key(), services.get(s));
      }
    }
    root.putObject("logs").put("dir", logsDir.toAbsolutePath().toString());
    try {
      return (CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static StackDescriptor fromJson(byte[] json) {
    JsonNode root = CanonicalJson.parse(json);
    if (root.path("version").asInt() != VERSION) {
      throw new IllegalArgumentException("stack.json version must be " + VERSION);
    }
    Map<ServiceModule, String> services = new EnumMap<>(ServiceModule.class);
    for (ServiceModule s : ServiceModule.values()) {
      JsonNode url = root.path("services").get(s.key());
      if (url != null) {
        services.put(s, url.asText());
      }
    }
    return new StackDescriptor(
        root.path("kafka").path("bootstrap").asText(),
        Path.of(root.path("kafka").path("logDir").asText()),
        services,
        Path.of(root.path("logs").path("dir").asText()));
  }

  /** Service URLs by their stack.json names. */
  public Map<String, String> serviceUrlsByName() {
    Map<String, String> out = new LinkedHashMap<>();
    services.forEach((k, v) -> out.put(k.key(), v));
    return out;
  }
}
