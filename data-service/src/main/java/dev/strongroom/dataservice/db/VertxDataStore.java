package dev.strongroom.dataservice.db;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.RefusalCode;
import dev.strongroom.contracts.records.StoreRequest;
import dev.strongroom.contracts.tls.TlsFileWatch;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.dataservice.store.DataStore;
import dev.strongroom.dataservice.store.SqlErrors;
import dev.strongroom.dataservice.store.StoreFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.mysqlclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * {@link DataStore} on the reactive Vert.x MySQL client (DESIGN §2), on Quarkus's own Vert.x: TLS
 * 1.3 only, the server verified against the stack's CA, and the {@code app_user} client certificate
 * (PEM, PKCS#8 key) as the only credential; a bounded pool. A rotated certificate is picked up
 * without a restart: each new connection of the pool is made with the files' current pair.
 *
 * <p>Binding: each call checks a connection out, binds it with {@code security_set_tenant(token)},
 * runs one procedure, and clears the binding with {@code security_clear_tenant()} before the
 * connection goes back to the pool. {@code security_set_tenant} clears any old binding first and
 * fails closed, so even a connection whose clear failed (a broken connection) cannot carry a tenant
 * into the next checkout.
 */
public final class VertxDataStore implements DataStore {
  /** Connection settings. */
  public record Settings(
      String host,
      int port,
      String database,
      String user,
      Path caCert,
      Path clientCert,
      Path clientKey,
      int poolSize,
      Duration connectTimeout,
      Duration callTimeout) {}

  private static final String STORE_SQL =
      "CALL app_create_user_encrypted(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final List<String> FIELDS = StoreRequest.FIELDS;

  private static final Logger LOG = Logger.getLogger(VertxDataStore.class);

  private final Settings settings;
  private final TlsFileWatch watch;
  private volatile MySQLConnectOptions connectOptions;
  private final Pool pool;
  private final Duration callTimeout;

  public VertxDataStore(Vertx vertx, Settings s) {
    this.settings = s;
    this.watch =
        new TlsFileWatch(new TlsIdentity(s.user(), s.caCert(), s.clientCert(), s.clientKey()));
    this.connectOptions = connectOptions(s);
    PoolOptions poolOptions =
        new PoolOptions()
            .setMaxSize(s.poolSize())
            .setMaxWaitQueueSize(-1)
            .setConnectionTimeout((int) s.callTimeout().toSeconds())
            .setConnectionTimeoutUnit(TimeUnit.SECONDS)
            .setIdleTimeout(60)
            .setIdleTimeoutUnit(TimeUnit.SECONDS);
    this.pool =
        MySQLBuilder.pool()
            .with(poolOptions)
            .connectingTo(() -> Future.succeededFuture(currentOptions()))
            .using(vertx)
            .build();
    this.callTimeout = s.callTimeout();
  }

  /**
   * The options of the pool's next new connection: re-built when the certificate, key or CA file
   * changed (a rotation) and the new pair is whole ({@link TlsFileWatch}); otherwise the ones in
   * use. The PEM material goes in as values, not paths, so Vert.x — which keeps one TLS client per
   * distinct set of options — builds a new TLS context for it instead of reusing the old one.
   */
  private MySQLConnectOptions currentOptions() {
    connectOptions =
        reloaded(watch, settings.user(), () -> connectOptions(settings), connectOptions);
    return connectOptions;
  }

  /**
   * {@code current}, or the options {@code read} builds when {@code watch} reports a change. A read
   * that fails (a file missing or replaced between the check and the read) keeps {@code current}
   * and has the watch report the change again at the next check, so the pool does not stay on the
   * old certificate; nothing is thrown to the pool.
   */
  static MySQLConnectOptions reloaded(
      TlsFileWatch watch,
      String user,
      Supplier<MySQLConnectOptions> read,
      MySQLConnectOptions current) {
    TlsFileWatch.Check c = watch.check();
    if (c.status() == TlsFileWatch.Check.Status.CHANGED) {
      MySQLConnectOptions next;
      try {
        next = read.get();
      } catch (RuntimeException e) {
        watch.again();
        LOG.warnf(
            "database certificate files of %s changed but cannot be read yet, keeping the old"
                + " (retried at the next connection): %s",
            user, e.getMessage());
        return current;
      }
      LOG.infof(
          "database certificate of %s rotated: new connections present serial %s (open ones"
              + " keep theirs until they close)",
          user, TlsFileWatch.serial(c.certificate()));
      return next;
    } else if (c.status() == TlsFileWatch.Check.Status.INCONSISTENT) {
      LOG.warnf("database certificate files not usable yet, keeping the old: %s", c.detail());
    }
    return current;
  }

  private static MySQLConnectOptions connectOptions(Settings s) {
    MySQLConnectOptions connect =
        new MySQLConnectOptions()
            .setHost(s.host())
            .setPort(s.port())
            .setDatabase(s.database())
            .setUser(s.user())
            .setSslMode(SslMode.VERIFY_CA)
            .setPemTrustOptions(new PemTrustOptions().addCertValue(read(s.caCert())))
            .setPemKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertValue(read(s.clientCert()))
                    .setKeyValue(read(s.clientKey())))
            .setCachePreparedStatements(true);
    connect.setEnabledSecureTransportProtocols(Set.of("TLSv1.3"));
    connect.setConnectTimeout((int) s.connectTimeout().toMillis());
    return connect;
  }

  private static Buffer read(Path file) {
    try {
      return Buffer.buffer(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS material " + file, e);
    }
  }

  @Override
  public Stored store(String expectedTenant, StoreRequest r) {
    Tuple args = Tuple.tuple();
    args.addString(r.requestId());
    args.addString(r.recordId());
    StoreRequest.DataKeyRef k = r.dataKey();
    args.addString(k.dekId());
    args.addBuffer(Buffer.buffer(k.wrappedDek()));
    args.addString(k.kmsKeyName());
    args.addString(k.kmsKeyVersion());
    args.addValue(k.pqWrappedDekIfAny().map(Buffer::buffer).orElse(null));
    args.addValue(k.pqAlg());
    for (String f : FIELDS) {
      StoreRequest.FieldCiphertext c = r.fields().get(f);
      args.addValue(c == null ? null : Buffer.buffer(c.ct()));
      args.addValue(c == null ? null : Buffer.buffer(c.iv()));
    }
    String[] answer =
        bound(
            r.tenantToken(),
            expectedTenant,
            conn ->
                conn.preparedQuery(STORE_SQL)
                    .execute(args)
                    .map(
                        rows -> {
                          Row row = first(rows, "app_create_user_encrypted");
                          return new String[] {
                            row.getString("status"),
                            row.getString("record_id"),
                            row.getString("tenant_id")
                          };
                        }));
    Stored stored = Stored.valueOf(answer[0]);
    if (stored == Stored.DUPLICATE && !r.recordId().equals(answer[1])) {
      // The procedure's DUPLICATE means "this request id is stored" and returns the row it found.
      // A row of another record is not this request's: another writer of the tenant stored under
      // its request id first (docs/data-plane.md). DUPLICATE would tell the requester its record
      // is stored; it is not.
      throw new StoreFailure(
          RefusalCode.REQUEST_EXISTS.errorCode(),
          RefusalCode.REQUEST_EXISTS,
          RefusalCode.REQUEST_EXISTS.code() + ": request id already stored for another record id",
          null);
    }
    if (expectedTenant != null && !expectedTenant.equals(answer[2])) {
      // the procedure refuses a request id of another tenant itself (SR-CROSS-TENANT); kept as a
      // second check, since a DUPLICATE of another tenant's row would be the same lie
      throw new StoreFailure(
          RefusalCode.CROSS_TENANT.errorCode(),
          RefusalCode.CROSS_TENANT,
          RefusalCode.CROSS_TENANT.code() + ": request id belongs to another tenant",
          null);
    }
    return stored;
  }

  @Override
  public Envelope readForDecrypt(String token, String recordId, String reader) {
    return bound(
        token,
        null,
        conn ->
            conn.preparedQuery("CALL app_record_decrypt(?, ?)")
                .execute(Tuple.of(recordId, reader))
                .map(rows -> envelope(first(rows, "app_record_decrypt"))));
  }

  @Override
  public List<Summary> list(String token, int limit) {
    return bound(
        token,
        null,
        conn ->
            conn.preparedQuery("CALL app_list_users(?)")
                .execute(Tuple.of(limit))
                .map(
                    rows -> {
                      List<Summary> out = new ArrayList<>();
                      for (Row row : rows) {
                        out.add(
                            new Summary(
                                row.getString("record_id"),
                                row.getString("request_id"),
                                row.getString("dek_id"),
                                instant(row.getLocalDateTime("created_at"))));
                      }
                      return out;
                    }));
  }

  /**
   * Checks a connection out, binds it to the token's tenant (refusing a token for another tenant
   * than {@code expectedTenant} when given), runs {@code work}, clears the binding, returns the
   * connection.
   */
  private <T> T bound(
      String token, String expectedTenant, Function<SqlConnection, Future<T>> work) {
    Future<T> f =
        pool.getConnection()
            .compose(
                conn ->
                    conn.preparedQuery("CALL security_set_tenant(?)")
                        .execute(Tuple.of(token))
                        .compose(
                            rows -> {
                              String tenant = first(rows, "security_set_tenant").getString(0);
                              if (expectedTenant != null && !expectedTenant.equals(tenant)) {
                                return Future.failedFuture(
                                    new StoreFailure(
                                        ErrorCode.UNAUTHORIZED,
                                        RefusalCode.TOKEN_TENANT,
                                        RefusalCode.TOKEN_TENANT.code()
                                            + ": the token is not for the request's tenant",
                                        null));
                              }
                              return work.apply(conn);
                            })
                        .eventually(
                            () ->
                                conn.query("CALL security_clear_tenant()")
                                    .execute()
                                    .otherwiseEmpty()
                                    .eventually(() -> conn.close())));
    try {
      return f.toCompletionStage()
          .toCompletableFuture()
          .get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SqlErrors.unreachable("interrupted", e);
    } catch (TimeoutException e) {
      throw SqlErrors.unreachable("no answer from the database within " + callTimeout, e);
    } catch (ExecutionException e) {
      throw translate(e.getCause());
    }
  }

  static StoreFailure translate(Throwable t) {
    if (t instanceof StoreFailure f) {
      return f;
    }
    if (t instanceof MySQLException m) {
      return SqlErrors.classify(
          m.getErrorCode(), m.getSqlState(), serverMessage(m.getMessage()), m);
    }
    // connection refused, closed, reset, TLS handshake cut short, pool wait timed out: transient
    return SqlErrors.unreachable("database unreachable: " + t, t);
  }

  /**
   * The server's own message: Vert.x renders it as {@code {errorMessage=…, errorCode=…,
   * sqlState=…}}.
   */
  static String serverMessage(String rendered) {
    String prefix = "{errorMessage=";
    if (rendered != null && rendered.startsWith(prefix)) {
      int end = rendered.lastIndexOf(", errorCode=");
      return rendered.substring(prefix.length(), end < 0 ? rendered.length() : end);
    }
    return rendered;
  }

  private static Row first(RowSet<Row> rows, String procedure) {
    var it = rows.iterator();
    if (!it.hasNext()) {
      throw new StoreFailure(ErrorCode.REFUSED, null, procedure + " returned no row", null);
    }
    return it.next();
  }

  private static Envelope envelope(Row row) {
    Buffer pq = row.getBuffer("pq_wrapped_dek");
    StoreRequest.DataKeyRef key =
        new StoreRequest.DataKeyRef(
            row.getString("dek_id"),
            row.getBuffer("wrapped_dek").getBytes(),
            row.getString("kms_key_name"),
            row.getString("kms_key_version"),
            pq == null ? null : pq.getBytes(),
            row.getString("pq_alg"));
    Map<String, StoreRequest.FieldCiphertext> fields = new LinkedHashMap<>();
    for (String f : FIELDS) {
      Buffer ct = row.getBuffer(f + "_ct");
      if (ct != null) {
        fields.put(
            f,
            new StoreRequest.FieldCiphertext(ct.getBytes(), row.getBuffer(f + "_iv").getBytes()));
      }
    }
    return new Envelope(
        String.valueOf(row.getValue("decrypt_id")),
        row.getString("record_id"),
        row.getString("tenant_id"),
        key,
        fields,
        instant(row.getLocalDateTime("created_at")));
  }

  private static Instant instant(LocalDateTime t) {
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  @Override
  public void close() {
    pool.close();
  }
}
