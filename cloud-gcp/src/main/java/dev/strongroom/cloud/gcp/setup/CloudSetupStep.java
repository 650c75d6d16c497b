package dev.strongroom.cloud.gcp.setup;

import java.util.List;
import java.util.Locale;

/**
 * One step of the plan as its check found it.
 *
 * @param id stable step id ({@code kms.key-ring}, {@code kms.crypto-key}, {@code kms.key-iam},
 *     {@code storage.bucket}, {@code storage.retention-lock}, {@code storage.bucket-iam})
 * @param resource the resource it manages ({@code projects/…/cryptoKeys/K}, {@code gs://B})
 * @param status what apply would do
 * @param changes one line per change apply would make (or, for a conflict, why it cannot); empty
 *     when unchanged
 */
public record CloudSetupStep(String id, String resource, StepStatus status, List<String> changes) {
  public CloudSetupStep {
    changes = List.copyOf(changes);
  }

  /** Appends this step as one line under {@code label}, then one line per change. */
  void renderTo(StringBuilder out, String label) {
    out.append(String.format(Locale.ROOT, "  %-9s %-22s %s%n", label, id, resource));
    for (String c : changes) {
      out.append("              - ").append(c).append('\n');
    }
  }
}
