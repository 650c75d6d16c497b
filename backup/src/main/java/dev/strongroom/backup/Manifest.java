package dev.strongroom.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A backup's manifest ({@code manifest.json}, RFC 8785 canonical JSON, signed in {@code
 * manifest.sig}). It lists every part with its SHA-256, the dump's consistent snapshot (the binary
 * log coordinates it was taken at), the binary log files the backup carries, the wrapped backup
 * key, the row count of every table in the dump, and the audit log's size and head (and, once the
 * audit library's tree is used, its root) as they were in the dump's snapshot. docs/backups.md
 * lists the fields.
 */
public record Manifest(
    String backupId,
    Instant startedAt,
    Instant finishedAt,
    String tool,
    List<String> schemas,
    String snapshotBinlogFile,
    long snapshotBinlogPosition,
    List<String> binlogFiles,
    Optional<String> previousBackup,
    String kmsKeyName,
    String kmsKeyVersion,
    byte[] wrappedKey,
    List<Part> parts,
    Map<String, Long> tables,
    long auditSize,
    Optional<String> auditHead,
    Optional<String> auditRoot) {
  public static final int VERSION = 1;
  public static final String FILE = "manifest.json";
  public static final String SIGNATURE_FILE = "manifest.sig";

  /** One stored file of the backup: its path in the backup directory, SHA-256 (hex) and size. */
  public record Part(String name, String kind, String sha256, long bytes) {}

  public Manifest {
    schemas = List.copyOf(schemas);
    binlogFiles = List.copyOf(binlogFiles);
    parts = List.copyOf(parts);
    tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    wrappedKey = wrappedKey.clone();
  }

  @Override
  public byte[] wrappedKey() {
    return wrappedKey.clone();
  }

  public Optional<Part> part(String name) {
    return parts.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** The canonical bytes that are signed and stored. */
  public byte[] toJson() {
    ObjectNode o = CanonicalJson.mapper().createObjectNode();
    o.put("version", VERSION);
    o.put("backupId", backupId);
    o.put("startedAt", startedAt.toString());
    o.put("finishedAt", finishedAt.toString());
    o.put("tool", tool);
    ArrayNode s = o.putArray("schemas");
    schemas.forEach(s::add);
    ObjectNode snap = o.putObject("snapshot");
    snap.put("binlogFile", snapshotBinlogFile);
    snap.put("binlogPosition", snapshotBinlogPosition);
    ObjectNode bl = o.putObject("binlogs");
    ArrayNode files = bl.putArray("files");
    binlogFiles.forEach(files::add);
    previousBackup.ifPresent(p -> bl.put("previousBackup", p));
    ObjectNode key = o.putObject("key");
    key.put("kmsKeyName", kmsKeyName);
    key.put("kmsKeyVersion", kmsKeyVersion);
    key.put(
        "wrappedKey", java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(wrappedKey));
    ArrayNode ps = o.putArray("parts");
    for (Part p : parts) {
      ps.addObject()
          .put("name", p.name())
          .put("kind", p.kind())
          .put("sha256", p.sha256())
          .put("bytes", p.bytes());
    }
    ObjectNode t = o.putObject("tables");
    tables.forEach(t::put);
    ObjectNode a = o.putObject("audit");
    a.put("size", auditSize);
    auditHead.ifPresent(h -> a.put("head", h));
    auditRoot.ifPresent(r -> a.put("root", r));
    return CanonicalJson.canonicalize(o);
  }

  /**
   * Parses a manifest.
   *
   * @throws BackupException {@code MANIFEST_MALFORMED} when it is not one
   */
  public static Manifest fromJson(byte[] json) {
    try {
      JsonNode o = CanonicalJson.parse(json);
      if (o.path("version").asInt() != VERSION) {
        throw new IllegalArgumentException("version must be " + VERSION);
      }
      List<String> schemas = new ArrayList<>();
      o.path("schemas").forEach(n -> schemas.add(n.asText()));
      List<String> files = new ArrayList<>();
      o.path("binlogs").path("files").forEach(n -> files.add(n.asText()));
      List<Part> parts = new ArrayList<>();
      for (JsonNode p : o.path("parts")) {
        parts.add(
            new Part(
                text(p, "name"), text(p, "kind"), text(p, "sha256"), p.path("bytes").asLong()));
      }
      Map<String, Long> tables = new LinkedHashMap<>();
      o.path("tables").properties().forEach(e -> tables.put(e.getKey(), e.getValue().asLong()));
      JsonNode a = o.path("audit");
      JsonNode key = o.path("key");
      return new Manifest(
          text(o, "backupId"),
          Instant.parse(text(o, "startedAt")),
          Instant.parse(text(o, "finishedAt")),
          text(o, "tool"),
          schemas,
          text(o.path("snapshot"), "binlogFile"),
          o.path("snapshot").path("binlogPosition").asLong(),
          files,
          Optional.ofNullable(o.path("binlogs").get("previousBackup")).map(JsonNode::asText),
          text(key, "kmsKeyName"),
          text(key, "kmsKeyVersion"),
          java.util.Base64.getUrlDecoder().decode(text(key, "wrappedKey")),
          parts,
          tables,
          a.path("size").asLong(),
          Optional.ofNullable(a.get("head")).map(JsonNode::asText),
          Optional.ofNullable(a.get("root")).map(JsonNode::asText));
    } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
      throw new BackupException(
          BackupException.Reason.MANIFEST_MALFORMED, FILE, String.valueOf(e.getMessage()), e);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new IllegalArgumentException("missing field " + field);
    }
    return v.asText();
  }
}
