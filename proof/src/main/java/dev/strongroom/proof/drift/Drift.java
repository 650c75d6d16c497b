package dev.strongroom.proof.drift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strongroom.contracts.envelope.CanonicalJson;
import dev.strongroom.proof.bundle.BundleException;
import dev.strongroom.proof.bundle.BundleFiles;
import dev.strongroom.proof.bundle.Manifest;
import dev.strongroom.proof.check.CheckResult;
import dev.strongroom.proof.run.ProofReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The controls whose status changed between an earlier bundle and this run ({@code prove --against
 * OLD_BUNDLE}). The earlier bundle must have been verified by the caller (signature and manifest)
 * before its {@code results.json} is trusted. A control that is in only one of the two runs changes
 * from or to {@code absent}. A regression is a change from {@code pass} (or {@code waived}) to
 * {@code fail} or {@code error}: a control that held and now does not.
 *
 * <p>Kept in the new bundle as {@value #FILE}: {@code {"against":{"runId","manifestSha256",
 * "finished","catalogueVersion"},"changes":[{"control","from","to","regression"}]}}.
 */
public record Drift(
    String againstRunId,
    String againstManifestSha256,
    String againstFinished,
    String againstCatalogueVersion,
    List<Change> changes) {
  public static final String FILE = "drift.json";

  /** One control whose status differs. */
  public record Change(String control, String from, String to) {
    /** It held before (pass or waived) and now fails or errors. */
    public boolean regression() {
      return (from.equals("pass") || from.equals("waived"))
          && (to.equals("fail") || to.equals("error"));
    }
  }

  public Drift {
    changes = List.copyOf(changes);
  }

  /** The regressions among the changes. */
  public List<Change> regressions() {
    return changes.stream().filter(Change::regression).toList();
  }

  /**
   * Compares a verified earlier bundle's files with {@code now}.
   *
   * @throws BundleException when the earlier bundle has no readable results
   */
  public static Drift between(Map<String, byte[]> earlierVerifiedFiles, ProofReport now) {
    byte[] results = earlierVerifiedFiles.get(BundleFiles.RESULTS);
    byte[] run = earlierVerifiedFiles.get(BundleFiles.RUN);
    byte[] manifest = earlierVerifiedFiles.get(Manifest.FILE);
    if (results == null || run == null || manifest == null) {
      throw new BundleException("the earlier bundle has no results.json, run.json or MANIFEST");
    }
    JsonNode r = CanonicalJson.parse(results);
    JsonNode meta = CanonicalJson.parse(run);
    Map<String, String> before = new TreeMap<>();
    for (JsonNode c : r.path("controls")) {
      before.put(c.path("id").asText(), c.path("status").asText());
    }
    Map<String, String> after = new TreeMap<>();
    for (CheckResult c : now.results()) {
      after.put(c.control().id(), c.status().wireName());
    }
    Set<String> ids = new TreeSet<>(before.keySet());
    ids.addAll(after.keySet());
    List<Change> changes = new ArrayList<>();
    for (String id : ids) {
      String from = before.getOrDefault(id, "absent");
      String to = after.getOrDefault(id, "absent");
      if (!from.equals(to)) {
        changes.add(new Change(id, from, to));
      }
    }
    return new Drift(
        meta.path("runId").asText(),
        sha256Hex(manifest),
        meta.path("finished").asText(),
        meta.path("catalogueVersion").asText(),
        changes);
  }

  /** {@value #FILE}'s bytes. */
  public byte[] toJson() {
    ObjectNode n = CanonicalJson.mapper().createObjectNode();
    n.putObject("against")
        .put("runId", againstRunId)
        .put("manifestSha256", againstManifestSha256)
        .put("finished", againstFinished)
        .put("catalogueVersion", againstCatalogueVersion);
    ArrayNode arr = n.putArray("changes");
    for (Change c : changes) {
      arr.addObject()
          .put("control", c.control())
          .put("from", c.from())
          .put("to", c.to())
          .put("regression", c.regression());
    }
    try {
      return (CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256Hex(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
