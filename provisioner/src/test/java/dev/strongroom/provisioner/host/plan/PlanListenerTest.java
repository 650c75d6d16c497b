package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.provisioner.host.HostBundle;
import dev.strongroom.provisioner.host.HostBundleRenderer;
import dev.strongroom.provisioner.host.HostOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plan tells its listener of every step in order (started, then its result), and of the step that
 * failed — checked by a real shell under a throwaway root.
 */
class PlanListenerTest {
  @TempDir Path root;

  private static final class Recorder implements PlanListener {
    final List<String> heard = new ArrayList<>();

    @Override
    public void started(String stepId) {
      heard.add("started " + stepId);
    }

    @Override
    public void finished(StepResult r) {
      heard.add(r.status() + " " + r.id());
    }

    @Override
    public void failed(String stepId, String detail) {
      heard.add("FAILED " + stepId + ": " + detail);
    }
  }

  @Test
  void plan_tellsEveryStep_startedThenItsResult_inOrder() throws Exception {
    HostBundle bundle = HostBundleRenderer.render(HostOptions.builder().build());
    HostPlan plan = new HostPlan(bundle, root.toRealPath());
    Recorder rec = new Recorder();
    try (LocalShell sh = new LocalShell(Duration.ofSeconds(30))) {
      List<StepResult> results = plan.plan(sh, rec);
      assertEquals(2 * results.size(), rec.heard.size());
      for (int i = 0; i < results.size(); i++) {
        assertEquals("started " + results.get(i).id(), rec.heard.get(2 * i));
        assertEquals(results.get(i).status() + " " + results.get(i).id(), rec.heard.get(2 * i + 1));
      }
      assertEquals("WOULD_CHANGE activate", rec.heard.get(rec.heard.size() - 1));
    }
  }

  @Test
  void aStepThatCannotBeApplied_isToldAsFailed_andEndsTheRun() throws Exception {
    HostBundle bundle = HostBundleRenderer.render(HostOptions.builder().build());
    Path real = root.toRealPath();
    // /etc is a file under this root: no bundle file can be written beneath it
    Files.writeString(real.resolve("etc"), "not a directory");
    HostPlan plan = new HostPlan(bundle, real);
    Recorder rec = new Recorder();
    try (LocalShell sh = new LocalShell(Duration.ofSeconds(30))) {
      PlanFailedException e = assertThrows(PlanFailedException.class, () -> plan.apply(sh, rec));
      String last = rec.heard.get(rec.heard.size() - 1);
      assertTrue(last.startsWith("FAILED " + e.stepId() + ": exit "), last);
      assertEquals("started " + e.stepId(), rec.heard.get(rec.heard.size() - 2));
      assertTrue(e.stepId().startsWith("file /etc/"), e.stepId());
      assertEquals(e.done().size(), (rec.heard.size() - 2) / 2);
    }
  }
}
