package dev.strongroom.proof.run;

import dev.strongroom.proof.db.DatabaseControls;

/** The catalogue {@code prove} runs ({@code docs/controls.md}). */
public final class StandardCatalogue {
  /** Changes whenever a control is added, removed or changes meaning. */
  public static final String VERSION = "strongroom-controls-1";

  private StandardCatalogue() {}

  public static Catalogue create() {
    return new Catalogue(VERSION, DatabaseControls.all());
  }
}
