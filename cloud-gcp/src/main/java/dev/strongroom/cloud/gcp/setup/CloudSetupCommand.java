package dev.strongroom.cloud.gcp.setup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cloud-setup}: the seed's outside-the-VM script as a command. {@code --dry-run} prints the
 * plan (read-only calls only); without it, applies the plan and prints what changed. Exit codes as
 * {@code ./strongroom} (DESIGN §7): 0 done (or, for a dry run, planned), 1 a conflict or a step
 * that cannot be brought to the spec, 2 usage error, 3 Google unreachable or throttling (retry).
 */
@Command(
    name = "cloud-setup",
    mixinStandardHelpOptions = true,
    description =
        "Create or check the Cloud KMS key ring and HSM key (with rotation), the retention-locked"
            + " WORM bucket and the service account's IAM bindings. Review with --dry-run first:"
            + " locking the retention policy is irreversible.")
public final class CloudSetupCommand implements Callable<Integer> {
  public static final int OK = 0;
  public static final int PROBLEM = 1;
  public static final int USAGE = 2;
  public static final int UNUSABLE = 3;

  @Mixin CloudSetupOptions options;

  @Option(names = "--dry-run", description = "Print the plan; change nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Machine-readable output.")
  boolean json;

  @Spec CommandSpec commandSpec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CloudSetupCommand()).execute(args));
  }

  @Override
  public Integer call() {
    PrintWriter out = commandSpec.commandLine().getOut();
    PrintWriter err = commandSpec.commandLine().getErr();
    CloudSetupSpec spec;
    try {
      spec = options.spec();
      options.clients(); // validates the endpoint pair
    } catch (IllegalArgumentException e) {
      err.println("cloud-setup: " + e.getMessage());
      return USAGE;
    }
    try (CloudSetup setup = CloudSetup.connect(spec, options.clients())) {
      if (dryRun) {
        CloudSetupPlan plan = setup.plan();
        out.print(json ? toJson(true, spec, plan.steps(), null) + "\n" : plan.render());
        out.flush();
        return plan.hasConflicts() ? PROBLEM : OK;
      }
      CloudSetupResult result = setup.apply();
      out.print(json ? toJson(false, spec, result.steps(), null) + "\n" : result.render());
      out.flush();
      return OK;
    } catch (CloudSetupException e) {
      if (json) {
        out.println(toJson(dryRun, spec, List.of(), e));
        out.flush();
      }
      err.println("cloud-setup: " + e.getMessage());
      return e.retriable() ? UNUSABLE : PROBLEM;
    }
  }

  /**
   * {@code {"dryRun", "project", "serviceAccount", "steps": [{"id", "resource", "status",
   * "changes"}], "changed", "error"?}}; status is the step's {@link StepStatus} as the check found
   * it.
   */
  static String toJson(
      boolean dryRun, CloudSetupSpec spec, List<CloudSetupStep> steps, CloudSetupException error) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("dryRun", dryRun);
    root.put("project", spec.project());
    root.put("serviceAccount", spec.serviceAccount());
    ArrayNode arr = root.putArray("steps");
    for (CloudSetupStep s : steps) {
      ObjectNode n = arr.addObject();
      n.put("id", s.id());
      n.put("resource", s.resource());
      n.put("status", s.status().name().toLowerCase(Locale.ROOT));
      ArrayNode c = n.putArray("changes");
      s.changes().forEach(c::add);
    }
    root.put(
        "changed", !dryRun && steps.stream().anyMatch(s -> s.status() != StepStatus.UNCHANGED));
    if (error != null) {
      ObjectNode e = root.putObject("error");
      e.put("step", error.stepId());
      e.put("message", error.getMessage());
      e.put("retriable", error.retriable());
    }
    try {
      return mapper.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
