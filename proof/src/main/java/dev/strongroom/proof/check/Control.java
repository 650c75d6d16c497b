package dev.strongroom.proof.check;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One control of the catalogue ({@code docs/controls.md}).
 *
 * @param id stable id, {@code SR-<AREA>-<NN>} (e.g. {@code SR-DB-TLS-01}); ids are never reused
 * @param title what must hold, in one sentence
 * @param sources where the control comes from: {@code CIS MySQL 8.4 x.y}, {@code STIG
 *     MYSQL-8.0-nnnnnn}, {@code dev-sec mysql-baseline mysql-conf-nn}, {@code seed}, {@code DESIGN
 *     §6.n}
 * @param method attack or measured fact
 * @param dialectNotes how MariaDB 10.11 and MySQL 8.4 differ for this control (empty when they do
 *     not)
 */
public record Control(
    String id, String title, List<String> sources, Method method, String dialectNotes) {
  private static final Pattern ID = Pattern.compile("SR-[A-Z]+(-[A-Z0-9]+)*-[0-9]{2}");

  public Control {
    Objects.requireNonNull(id, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("control id must look like SR-AREA-NN: " + id);
    }
    Objects.requireNonNull(title, "title");
    sources = List.copyOf(sources);
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("control " + id + " names no source");
    }
    Objects.requireNonNull(method, "method");
    dialectNotes = dialectNotes == null ? "" : dialectNotes;
  }
}
