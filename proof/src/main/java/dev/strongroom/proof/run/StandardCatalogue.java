package dev.strongroom.proof.run;

import dev.strongroom.proof.check.Check;
import dev.strongroom.proof.db.DatabaseControls;
import dev.strongroom.proof.host.HostControls;
import dev.strongroom.proof.pipeline.PipelineControls;
import java.util.ArrayList;
import java.util.List;

/** The catalogue {@code prove} runs ({@code docs/controls.md}). */
public final class StandardCatalogue {
  /** Changes whenever a control is added, removed or changes meaning. */
  public static final String VERSION = "strongroom-controls-3";

  private StandardCatalogue() {}

  public static Catalogue create() {
    List<Check> checks = new ArrayList<>(DatabaseControls.all());
    checks.addAll(PipelineControls.all());
    checks.addAll(HostControls.all());
    return new Catalogue(VERSION, checks);
  }
}
