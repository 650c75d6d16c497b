package dev.strongroom.provisioner.db;

import java.nio.file.Path;
import java.util.List;

/**
 * The output of {@link OptionFileRenderer}: the server option file and any companion files the
 * dialect needs (MySQL 8.4's keyring component manifest and configuration).
 *
 * @param dialect what this was rendered for
 * @param optionFile the {@code my.cnf} text, written to {@link InstanceLayout#optionFile()}
 * @param companions further files; each says where it must go
 */
public record RenderedConfig(Dialect dialect, String optionFile, List<Companion> companions) {
  public RenderedConfig {
    companions = List.copyOf(companions);
  }

  /**
   * A companion file.
   *
   * @param name a stable short name (golden files are named after it)
   * @param path where it goes when the location is per instance; {@code null} when it belongs to
   *     the server installation (e.g. next to the {@code mysqld} binary), see {@code placement}
   * @param placement one line saying where the file goes
   * @param content the file's text
   */
  public record Companion(String name, Path path, String placement, String content) {}
}
