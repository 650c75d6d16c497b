package dev.strongroom.proof.run;

import dev.strongroom.proof.check.Check;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A versioned list of checks. The version changes whenever a control is added, removed or its
 * meaning changes; it is bound into every bundle's signature.
 */
public record Catalogue(String version, List<Check> checks) {
  public Catalogue {
    checks = List.copyOf(checks);
    Set<String> ids = new HashSet<>();
    for (Check c : checks) {
      if (!ids.add(c.control().id())) {
        throw new IllegalArgumentException("duplicate control id " + c.control().id());
      }
    }
  }
}
