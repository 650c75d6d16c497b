package dev.strongroom.contracts.schema;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One event type of the catalog: its CloudEvents {@code type}, the one topic that carries it,
 * whether it is tenant-scoped ({@code subject} = tenant id, required) or global ({@code subject}
 * absent), and the JSON Schema (draft 2020-12) of its {@code data}, a classpath resource under
 * {@code dev/strongroom/contracts/schemas/}.
 */
public record EventType(String type, String topic, Scope scope, String schemaResource) {
  private static final Pattern TYPE =
      Pattern.compile("^dev\\.strongroom\\.[a-z]+(\\.[a-z]+)+\\.v[1-9][0-9]*$");

  /** Tenant-scoped events carry the tenant id as {@code subject} and as record key. */
  public enum Scope {
    TENANT,
    GLOBAL
  }

  public EventType {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(schemaResource, "schemaResource");
    if (!TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException(
          "event type must look like dev.strongroom.<area>.<verb>.v<n>: " + type);
    }
  }

  /** Declares a type whose schema is {@code schemas/<type>.schema.json}. */
  public static EventType of(String type, String topic, Scope scope) {
    return new EventType(
        type, topic, scope, "dev/strongroom/contracts/schemas/" + type + ".schema.json");
  }
}
