package dev.strongroom.dataservice.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.RefusalCode;
import dev.strongroom.dataservice.store.StoreFailure;
import io.vertx.core.VertxException;
import io.vertx.mysqlclient.MySQLException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the Vert.x client's failures become store failures. */
class VertxDataStoreTest {
  @Test
  void procedureRefusal_keepsItsSrCode_andIsNotRetried() {
    StoreFailure f =
        VertxDataStore.translate(
            new MySQLException("SR-TOKEN-EXPIRED: token expired", 1644, "45000"));
    assertEquals(Optional.of(RefusalCode.TOKEN_EXPIRED), f.refusal());
    assertEquals(ErrorCode.UNAUTHORIZED, f.code());
    assertEquals("SR-TOKEN-EXPIRED", f.resultCode());
    assertEquals("SR-TOKEN-EXPIRED: token expired", f.detail());
    assertFalse(f.retriable());
  }

  @Test
  void deadlock_isRetried() {
    StoreFailure f =
        VertxDataStore.translate(
            new MySQLException("Deadlock found when trying to get lock", 1213, "40001"));
    assertTrue(f.retriable());
    assertEquals(ErrorCode.UNAVAILABLE, f.code());
  }

  @Test
  void otherSqlError_isRefused_notRetried() {
    StoreFailure f = VertxDataStore.translate(new MySQLException("Data too long", 1406, "22001"));
    assertFalse(f.retriable());
    assertEquals("REFUSED", f.resultCode());
  }

  @Test
  void brokenConnection_isRetried() {
    assertTrue(VertxDataStore.translate(new VertxException("Connection is closed")).retriable());
  }
}
