package dev.strongroom.dataservice.config;

import dev.strongroom.dataservice.db.VertxDataStore;
import dev.strongroom.dataservice.store.DataStore;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Builds the plain-Java parts from {@link DataConfig}. */
@ApplicationScoped
public class DataProducers {
  @Produces
  @Singleton
  DataStore dataStore(Vertx vertx, DataConfig config) {
    DataConfig.Db db = config.db();
    return new VertxDataStore(
        vertx,
        new VertxDataStore.Settings(
            db.host(),
            db.port(),
            db.database(),
            db.user(),
            db.caCert(),
            db.cert(),
            db.key(),
            db.poolSize(),
            db.connectTimeout(),
            db.callTimeout()));
  }

  void close(@Disposes DataStore store) {
    store.close();
  }
}
