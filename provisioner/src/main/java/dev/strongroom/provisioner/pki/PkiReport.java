package dev.strongroom.provisioner.pki;

import java.util.List;
import java.util.Map;

/**
 * What {@link PkiDirectory#ensure()} did to each piece of material.
 *
 * @param actions name ({@code ca}, {@code crl}, {@code server} or a client name) to action, in the
 *     order processed
 */
public record PkiReport(Map<String, Action> actions) {
  /** The outcome for one piece of material. */
  public enum Action {
    /** Valid material was found and left untouched. */
    KEPT,
    /** Material was missing, invalid, revoked, expiring or stale and was (re-)issued. */
    ISSUED
  }

  public PkiReport {
    actions = Map.copyOf(actions);
  }

  /** Names whose material was issued in this run. */
  public List<String> issued() {
    return actions.entrySet().stream()
        .filter(e -> e.getValue() == Action.ISSUED)
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  public Action action(String name) {
    return actions.get(name);
  }
}
