package dev.strongroom.proof.testing;

import dev.strongroom.proof.oscal.OscalDocuments;
import gov.nist.secauto.metaschema.core.configuration.DefaultConfiguration;
import gov.nist.secauto.metaschema.core.model.constraint.ValidationFeature;
import gov.nist.secauto.metaschema.core.model.validation.IValidationResult;
import gov.nist.secauto.metaschema.core.model.validation.JsonSchemaContentValidator;
import gov.nist.secauto.metaschema.databind.io.Format;
import gov.nist.secauto.oscal.lib.OscalBindingContext;
import gov.nist.secauto.oscal.lib.model.AssessmentPlan;
import gov.nist.secauto.oscal.lib.model.AssessmentResults;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * NIST's checks of the OSCAL documents of a run, shared by {@code OscalDocumentsTest} (a made-up
 * report with every status) and the devstack's {@code ProveCommandIT} (the documents of real
 * bundles): the OSCAL 1.1.3 JSON schemas shipped in liboscal-java 5.2.0, checked by NIST's own
 * validator (metaschema-core's {@code JsonSchemaContentValidator}), then a read into liboscal's
 * bound model, and the Metaschema constraint validation that NIST's {@code oscal-cli validate}
 * runs.
 */
public final class NistOscal {
  /** The OSCAL assessment-plan JSON schema inside liboscal-java. */
  public static final String PLAN_SCHEMA = "schema/json/oscal-ap_schema.json";

  /** The OSCAL assessment-results JSON schema inside liboscal-java. */
  public static final String RESULTS_SCHEMA = "schema/json/oscal-ar_schema.json";

  private NistOscal() {}

  /**
   * The violations NIST's validator finds in {@code doc} against {@code schemaResource}, as {@code
   * <json pointer>: <message>}; empty when it is valid.
   */
  public static List<String> schemaViolations(String schemaResource, byte[] doc) {
    try (InputStream in = NistOscal.class.getClassLoader().getResourceAsStream(schemaResource)) {
      if (in == null) {
        throw new IllegalStateException(schemaResource + " is not on the test classpath");
      }
      IValidationResult v =
          new JsonSchemaContentValidator(in)
              .validate(new ByteArrayInputStream(doc), URI.create("urn:test:doc"));
      return v.getFindings().stream().map(f -> f.getPath() + ": " + f.getMessage()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The schema violations of both documents of a bundle's files (or {@link OscalDocuments#render}'s
   * map), each prefixed with its path; empty when both are valid.
   */
  public static List<String> bundleSchemaViolations(Map<String, byte[]> files) {
    return java.util.stream.Stream.concat(
            prefixed(
                OscalDocuments.PLAN,
                schemaViolations(PLAN_SCHEMA, required(files, OscalDocuments.PLAN))),
            prefixed(
                OscalDocuments.RESULTS,
                schemaViolations(RESULTS_SCHEMA, required(files, OscalDocuments.RESULTS))))
        .toList();
  }

  private static java.util.stream.Stream<String> prefixed(String path, List<String> v) {
    return v.stream().map(m -> path + " " + m);
  }

  private static byte[] required(Map<String, byte[]> files, String path) {
    byte[] b = files.get(path);
    if (b == null) {
      throw new AssertionError("no " + path + " among " + files.keySet());
    }
    return b;
  }

  /**
   * Writes the OSCAL documents of {@code files} under {@code dir} (as {@code oscal/…}, so the
   * results' {@code import-ap} href resolves to the plan beside it) and returns the {@code oscal}
   * directory.
   */
  public static Path write(Map<String, byte[]> files, Path dir) throws IOException {
    for (String path : List.of(OscalDocuments.PLAN, OscalDocuments.RESULTS)) {
      Path p = dir.resolve(path);
      Files.createDirectories(p.getParent());
      Files.write(p, required(files, path));
    }
    return dir.resolve(OscalDocuments.PLAN).getParent();
  }

  /** The plan, read by liboscal-java into its bound model. */
  public static AssessmentPlan readPlan(Path oscalDir) throws IOException {
    return OscalBindingContext.instance()
        .newDeserializer(Format.JSON, AssessmentPlan.class)
        .deserialize(oscalDir.resolve("assessment-plan.json"));
  }

  /** The results, read by liboscal-java into its bound model. */
  public static AssessmentResults readResults(Path oscalDir) throws IOException {
    return OscalBindingContext.instance()
        .newDeserializer(Format.JSON, AssessmentResults.class)
        .deserialize(oscalDir.resolve("assessment-results.json"));
  }

  /**
   * Runs NIST's Metaschema constraint validation on one document (what {@code oscal-cli validate}
   * runs after the schema), offline. It throws where a constraint cannot be evaluated.
   */
  public static IValidationResult constraints(Path document) throws IOException {
    return OscalBindingContext.instance()
        .validateWithConstraints(
            document.toUri(), new DefaultConfiguration<ValidationFeature<?>>());
  }
}
