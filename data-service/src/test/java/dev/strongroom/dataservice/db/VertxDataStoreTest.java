package dev.strongroom.dataservice.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strongroom.contracts.errors.ErrorCode;
import dev.strongroom.contracts.errors.RefusalCode;
import dev.strongroom.contracts.tls.TlsFileWatch;
import dev.strongroom.dataservice.store.StoreFailure;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import io.vertx.core.VertxException;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the Vert.x client's failures become store failures; how the pool follows a rotation. */
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

  /**
   * A rotation whose files cannot be read right after the change was seen (a file briefly missing
   * mid-rotation): the pool keeps the old options, nothing is thrown to it, and the next check
   * reads again — without another change of the files — and takes the new options.
   */
  @Test
  void failedReadAfterARotation_keepsTheOldOptions_andIsRetriedAtTheNextCheck(@TempDir Path tmp) {
    PkiDirectory pki = PkiDirectory.open(tmp, PkiSpec.strongroom(List.of()));
    pki.ensure();
    TlsFileWatch watch = new TlsFileWatch(pki.identity("operator"));
    MySQLConnectOptions old = new MySQLConnectOptions().setUser("old");
    MySQLConnectOptions fresh = new MySQLConnectOptions().setUser("new");
    AtomicInteger reads = new AtomicInteger();

    assertSame(
        old,
        VertxDataStore.reloaded(watch, "operator", () -> fail("unchanged: nothing to read"), old));
    pki.rotateClient("operator", false);
    assertSame(
        old,
        VertxDataStore.reloaded(
            watch,
            "operator",
            () -> {
              reads.incrementAndGet();
              throw new UncheckedIOException("cannot read TLS material", new java.io.IOException());
            },
            old),
        "a failed read keeps the options in use");
    assertEquals(1, reads.get());
    assertSame(
        fresh,
        VertxDataStore.reloaded(
            watch,
            "operator",
            () -> {
              reads.incrementAndGet();
              return fresh;
            },
            old),
        "the next check reads again and takes the new options");
    assertEquals(2, reads.get());
    assertSame(
        fresh,
        VertxDataStore.reloaded(watch, "operator", () -> fail("read once per change"), fresh));
  }
}
