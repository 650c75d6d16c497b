package dev.strongroom.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Set;

/**
 * The procedure calls every phase ends in: on one pooled connection, {@code
 * security_set_tenant(token)} then {@code app_create_user_encrypted(…)} — the two calls the
 * data-service makes per record — over TLS 1.3 with the {@code app_user} certificate, on a pool of
 * {@code concurrency} connections (prepared statements cached per connection).
 */
public final class ProcedureWriter implements AutoCloseable {
  static final String BIND = "CALL security_set_tenant(?)";
  static final String CREATE =
      "CALL app_create_user_encrypted(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final Pool pool;

  public ProcedureWriter(Vertx vertx, DbEndpoint db, int concurrency) {
    MySQLConnectOptions connect =
        new MySQLConnectOptions()
            .setHost(db.host())
            .setPort(db.port())
            .setDatabase(db.database())
            .setUser("app_user")
            .setSslMode(SslMode.VERIFY_CA)
            .setPemTrustOptions(new PemTrustOptions().addCertPath(db.caCert().toString()))
            .setPemKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertPath(db.clientCert().toString())
                    .setKeyPath(db.clientKey().toString()))
            .setCachePreparedStatements(true);
    connect.setEnabledSecureTransportProtocols(Set.of("TLSv1.3"));
    this.pool =
        MySQLBuilder.pool()
            .with(new PoolOptions().setMaxSize(concurrency).setMaxWaitQueueSize(-1))
            .connectingTo(connect)
            .using(vertx)
            .build();
  }

  /**
   * Binds the tenant and stores the record on one connection; completes with the procedure's status
   * ({@code STORED} or {@code DUPLICATE}) or fails with the server's error.
   */
  public Future<String> store(String tenantToken, StoreCall c) {
    Tuple args = Tuple.tuple();
    args.addString(c.requestId())
        .addString(c.recordId())
        .addString(c.dekId())
        .addBuffer(Buffer.buffer(c.wrappedDek()))
        .addString(c.kmsKeyName())
        .addString(c.kmsKeyVersion())
        .addValue(c.pqWrappedDek() == null ? null : Buffer.buffer(c.pqWrappedDek()))
        .addString(c.pqAlg());
    for (StoreCall.Field f : c.fields()) {
      args.addValue(f == null ? null : Buffer.buffer(f.ciphertext()));
      args.addValue(f == null ? null : Buffer.buffer(f.iv()));
    }
    return pool.withConnection(
        conn ->
            conn.preparedQuery(BIND)
                .execute(Tuple.of(tenantToken))
                .compose(bound -> conn.preparedQuery(CREATE).execute(args))
                .map(ProcedureWriter::status));
  }

  /** A system variable as the server reports it to {@code app_user} (durability settings). */
  public Future<String> variable(String name) {
    if (!name.matches("[a-z_]{1,64}")) {
      throw new IllegalArgumentException("not a variable name: " + name);
    }
    return pool.query("SELECT @@" + name)
        .execute()
        .map(rs -> String.valueOf(rs.iterator().next().getValue(0)));
  }

  private static String status(RowSet<Row> rs) {
    for (Row r : rs) {
      return r.getString("status");
    }
    throw new IllegalStateException("app_create_user_encrypted returned no row");
  }

  @Override
  public void close() {
    pool.close().toCompletionStage().toCompletableFuture().join();
  }
}
