package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.errors.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host keys are pinned per host and port from known_hosts; never learned, never guessed. */
class KnownHostsPinsTest {
  @TempDir Path dir;

  private static String line(KeyPair kp) {
    return PublicKeyEntry.toString(kp.getPublic());
  }

  private static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  @Test
  void theKeyPinnedForThatHostAndPort_isTheOneReturned() throws Exception {
    KeyPair a = ec();
    KeyPair b = ec();
    Path f = dir.resolve("known_hosts");
    Files.writeString(
        f,
        "# provisioning targets\n"
            + "[127.0.0.1]:2222 "
            + line(a)
            + "\n"
            + "db1.example.internal "
            + line(b)
            + "\n");
    KnownHostsPins pins = KnownHostsPins.load(f);
    assertTrue(
        KeyUtils.compareKeys(
            a.getPublic(), pins.pinFor(Target.parse("ssh://root@127.0.0.1:2222"))));
    assertTrue(
        KeyUtils.compareKeys(
            b.getPublic(), pins.pinFor(Target.parse("ssh://ops@db1.example.internal"))));
  }

  @Test
  void aTargetWithoutAPin_orOnAnotherPort_isRefused() throws Exception {
    Path f = dir.resolve("known_hosts");
    Files.writeString(f, "[127.0.0.1]:2222 " + line(ec()) + "\n");
    KnownHostsPins pins = KnownHostsPins.load(f);
    SshException e =
        assertThrows(
            SshException.class, () -> pins.pinFor(Target.parse("ssh://root@127.0.0.1:2223")));
    assertEquals(ErrorCode.REFUSED, e.code());
    assertTrue(
        e.getMessage()
            .startsWith(
                "REFUSED: no host key pinned for ssh://root@127.0.0.1:2223 in "
                    + f
                    + " (add the target's key, e.g. '[127.0.0.1]:2223 ecdsa-sha2-nistp256"),
        e.getMessage());
    SshException none =
        assertThrows(
            SshException.class,
            () ->
                KnownHostsPins.load(dir.resolve("absent"))
                    .pinFor(Target.parse("ssh://root@127.0.0.1:2222")));
    assertEquals(ErrorCode.REFUSED, none.code());
  }

  @Test
  void twoPinsForOneTarget_orARevokedLine_pinNothing() throws Exception {
    Path f = dir.resolve("known_hosts");
    Files.writeString(
        f,
        "[127.0.0.1]:2222 "
            + line(ec())
            + "\n[127.0.0.1]:2222 "
            + line(ec())
            + "\n@revoked [127.0.0.1]:2200 "
            + line(ec())
            + "\n");
    KnownHostsPins pins = KnownHostsPins.load(f);
    SshException two =
        assertThrows(
            SshException.class, () -> pins.pinFor(Target.parse("ssh://root@127.0.0.1:2222")));
    assertEquals(
        "REFUSED: 2 host keys pinned for ssh://root@127.0.0.1:2222 in " + f + "; pin exactly one",
        two.getMessage());
    SshException revoked =
        assertThrows(
            SshException.class, () -> pins.pinFor(Target.parse("ssh://root@127.0.0.1:2200")));
    assertTrue(revoked.getMessage().startsWith("REFUSED: no host key pinned"));
  }
}
