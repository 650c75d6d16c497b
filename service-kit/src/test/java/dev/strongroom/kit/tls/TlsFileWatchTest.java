package dev.strongroom.kit.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.tls.TlsFileWatch;
import dev.strongroom.contracts.tls.TlsIdentity;
import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsFileWatchTest {
  @Test
  void rotation_isReportedOnce_withTheNewCertificate(@TempDir Path tmp) {
    PkiDirectory pki = PkiDirectory.open(tmp, PkiSpec.strongroom(List.of()));
    pki.ensure();
    TlsFileWatch watch = new TlsFileWatch(pki.identity("operator"));
    assertEquals(TlsFileWatch.Check.Status.UNCHANGED, watch.check().status());

    var rotated = pki.rotateClient("operator", false).certificate();
    TlsFileWatch.Check c = watch.check();
    assertEquals(TlsFileWatch.Check.Status.CHANGED, c.status(), c.detail());
    assertEquals(rotated.getSerialNumber(), c.certificate().getSerialNumber());
    assertEquals("serial " + TlsFileWatch.serial(rotated), c.detail());
    assertEquals(TlsFileWatch.Check.Status.UNCHANGED, watch.check().status());

    watch.again();
    assertEquals(TlsFileWatch.Check.Status.CHANGED, watch.check().status());
  }

  @Test
  void certificateWithoutItsKey_isInconsistent_untilTheKeyFollows(@TempDir Path tmp)
      throws Exception {
    PkiDirectory pki = PkiDirectory.open(tmp.resolve("pki"), PkiSpec.strongroom(List.of()));
    pki.ensure();
    TlsIdentity live = pki.identity("operator");
    Path dir = Files.createDirectories(tmp.resolve("live"));
    Path cert = Files.copy(live.cert(), dir.resolve("operator.pem"));
    Path key = Files.copy(live.key(), dir.resolve("operator.key"));
    TlsFileWatch watch = new TlsFileWatch(new TlsIdentity("operator", live.caCert(), cert, key));

    var another = pki.issueAnother("operator", Files.createDirectories(tmp.resolve("next")));
    TlsIdentity next =
        new TlsIdentity("operator", live.caCert(), another.certPem(), another.keyPem());
    Files.copy(next.cert(), cert, StandardCopyOption.REPLACE_EXISTING); // the key not yet
    TlsFileWatch.Check half = watch.check();
    assertEquals(TlsFileWatch.Check.Status.INCONSISTENT, half.status());
    assertTrue(half.detail().contains("does not belong to the certificate"), half.detail());

    Files.copy(next.key(), key, StandardCopyOption.REPLACE_EXISTING);
    TlsFileWatch.Check whole = watch.check();
    assertEquals(TlsFileWatch.Check.Status.CHANGED, whole.status(), whole.detail());
    assertEquals(next.certificate().getSerialNumber(), whole.certificate().getSerialNumber());
  }
}
