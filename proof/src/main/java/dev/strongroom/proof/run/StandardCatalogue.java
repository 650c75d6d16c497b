package dev.strongroom.proof.run;

import dev.strongroom.proof.check.Check;
import dev.strongroom.proof.db.DatabaseControls;
import dev.strongroom.proof.host.HostControls;
import dev.strongroom.proof.pipeline.PipelineControls;
import java.util.ArrayList;
import java.util.List;

/** The catalogue {@code prove} runs ({@code docs/controls.md}). */
public final class StandardCatalogue {
  /**
   * Changes whenever a control is added, removed or changes meaning (4: SR-HOST-FW-01 reads each
   * input chain and needs IPv4 and IPv6, SR-HOST-F2B-01 the bundle's database jails, and the host
   * controls run on a host target, MAC-01 and FIPS-01 not-applicable on a rehearsal root; 5: nine
   * CIS/STIG controls, SR-DB-CONF-11..15, PRIV-08, PRIV-09, FILE-01, OS-01, and MTLS-04's exact
   * refusal; 6: SR-DB-PRIV-07 refuses the auditor the anchor writer procedures, SR-DB-PRIV-10 added
   * for anchor_writer; 7: SR-DB-PRIV-08 also looks for MariaDB's other SUPER parts, MySQL 8.4's
   * dynamic privileges, writes on the mysql schema and PROXY grants; 8: SR-DB-FILE-01 takes the
   * at-rest keys root's and read-only to the server's own group, which no other account is in, as
   * closed — the host bundle's layout, which 7 failed as "open to another account").
   */
  public static final String VERSION = "strongroom-controls-8";

  private StandardCatalogue() {}

  public static Catalogue create() {
    List<Check> checks = new ArrayList<>(DatabaseControls.all());
    checks.addAll(PipelineControls.all());
    checks.addAll(HostControls.all());
    return new Catalogue(VERSION, checks);
  }
}
