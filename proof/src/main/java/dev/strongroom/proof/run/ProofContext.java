package dev.strongroom.proof.run;

import dev.strongroom.contracts.token.TenantTokens;
import dev.strongroom.proof.pipeline.PipelineProbe;
import dev.strongroom.provisioner.db.MariaDbBinaries;
import dev.strongroom.provisioner.db.MariaDbClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * What the checks of one run may use: the target's parts, a scratch directory (throwaway keys,
 * probe output; removed after the run), the stock database client and the clock.
 */
public final class ProofContext {
  private final Optional<DbTarget> db;
  private final Path scratch;
  private final Clock clock;
  private final MariaDbClient client;
  private final HostFacts host;
  private final Optional<TenantTokens> tenantAuthority;
  private final Optional<AnchoredLog> anchoredLog;
  private final Optional<PipelineProbe> pipeline;

  /** A target without an anchored audit log (SR-DB-AUD-04 is then NOT_APPLICABLE). */
  public ProofContext(
      Optional<DbTarget> db,
      Optional<TenantTokens> tenantAuthority,
      HostFacts host,
      Path scratch,
      Clock clock) {
    this(db, tenantAuthority, Optional.empty(), host, scratch, clock);
  }

  /**
   * @param tenantAuthority issues probe tokens for the tenant-isolation attacks (the stack's tenant
   *     authority key); without it those controls are NOT_APPLICABLE
   * @param anchoredLog the WORM store and log key the database's audit chain is anchored with
   */
  public ProofContext(
      Optional<DbTarget> db,
      Optional<TenantTokens> tenantAuthority,
      Optional<AnchoredLog> anchoredLog,
      HostFacts host,
      Path scratch,
      Clock clock) {
    this(db, tenantAuthority, anchoredLog, Optional.empty(), host, scratch, clock);
  }

  /**
   * @param pipeline the running pipeline the SR-PIPE controls attack; without it they are
   *     NOT_APPLICABLE
   */
  public ProofContext(
      Optional<DbTarget> db,
      Optional<TenantTokens> tenantAuthority,
      Optional<AnchoredLog> anchoredLog,
      Optional<PipelineProbe> pipeline,
      HostFacts host,
      Path scratch,
      Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    this.anchoredLog = Objects.requireNonNull(anchoredLog, "anchoredLog");
    this.tenantAuthority = Objects.requireNonNull(tenantAuthority, "tenantAuthority");
    this.host = Objects.requireNonNull(host, "host");
    this.scratch = Objects.requireNonNull(scratch, "scratch");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.client = new MariaDbClient(MariaDbBinaries.debian().client());
  }

  /** The database, or empty when the target has none (its controls are then NOT_APPLICABLE). */
  public Optional<DbTarget> db() {
    return db;
  }

  public Optional<TenantTokens> tenantAuthority() {
    return tenantAuthority;
  }

  public Optional<AnchoredLog> anchoredLog() {
    return anchoredLog;
  }

  /** The running pipeline, or empty for a database-only target. */
  public Optional<PipelineProbe> pipeline() {
    return pipeline;
  }

  public HostFacts host() {
    return host;
  }

  public Path scratch() {
    return scratch;
  }

  public Clock clock() {
    return clock;
  }

  /** The stock {@code mariadb} command-line client. */
  public MariaDbClient client() {
    return client;
  }

  /** A short description of the target for results and the signature binding. */
  public String targetName() {
    return db.map(DbTarget::describe).orElse("no-database");
  }
}
