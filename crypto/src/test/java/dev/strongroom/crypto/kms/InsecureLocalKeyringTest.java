package dev.strongroom.crypto.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.KmsException;
import dev.strongroom.crypto.SecretKeyAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InsecureLocalKeyringTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] AD = DataKeyWrapContext.encode("tenant-a", "dek-1");

  @TempDir Path dir;

  private InsecureLocalKeyring keyring(String name, String file) {
    Path p = dir.resolve(file);
    if (!Files.exists(p)) {
      InsecureLocalKeyring.addVersion(p, "1", RANDOM);
    }
    return InsecureLocalKeyring.load(name, p, RANDOM);
  }

  private static byte[] bytes(DataKey k) {
    return k.useKeyBytes(SecretKeyAccess.insecure(), byte[]::clone);
  }

  @Test
  void newKeyringFile_isCreatedOwnerOnly() throws Exception {
    Path p = dir.resolve("fresh");
    InsecureLocalKeyring.addVersion(p, "1", RANDOM);
    InsecureLocalKeyring.addVersion(p, "2", RANDOM);
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
  }

  @Test
  void aVersionAlreadyThere_isRefused_andTheKeyringIsUnchanged() throws Exception {
    Path p = dir.resolve("twice");
    InsecureLocalKeyring.addVersion(p, "1", RANDOM);
    InsecureLocalKeyring.addVersion(p, "2", RANDOM);
    byte[] before = Files.readAllBytes(p);
    KmsException e =
        assertThrows(KmsException.class, () -> InsecureLocalKeyring.addVersion(p, "2", RANDOM));
    assertEquals("local keyring " + p + " already holds version 2", e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(p), "nothing appended");
  }

  @Test
  void wrappedKey_isLaidOutByWrapFormat_andABadHeaderIsInvalid() {
    InsecureLocalKeyring kr = keyring("dev-kek", "kr");
    byte[] b = kr.wrap(DataKey.generate("dek-1", RANDOM), AD).bytes();
    WrapFormat.Parts parts = WrapFormat.parse(b);
    assertArrayEquals(b, WrapFormat.encode(parts.iv(), parts.ciphertextAndTag()));
    b[1] = 0x02;
    assertThrows(InvalidCiphertextException.class, () -> WrapFormat.parse(b));
  }

  @Test
  void wrapThenUnwrap_returnsTheDataKey() {
    InsecureLocalKeyring kr = keyring("dev-kek", "kr");
    DataKey dek = DataKey.generate("dek-1", RANDOM);
    WrappedKey w = kr.wrap(dek, AD);
    assertEquals("dev-kek", w.keyName());
    assertEquals("1", w.keyVersion());
    assertEquals(62, w.bytes().length);
    DataKey back = kr.unwrap(w, "dek-1", AD);
    assertArrayEquals(bytes(dek), bytes(back));
    assertEquals("dek-1", back.id());
  }

  @Test
  void rotation_rewrapsUnderTheNewVersion_sameDataKey_oldWrapStillUnwraps() {
    InsecureLocalKeyring v1 = keyring("dev-kek", "rot");
    DataKey dek = DataKey.generate("dek-1", RANDOM);
    WrappedKey old = v1.wrap(dek, AD);
    InsecureLocalKeyring.addVersion(dir.resolve("rot"), "2", RANDOM);
    InsecureLocalKeyring v2 = InsecureLocalKeyring.load("dev-kek", dir.resolve("rot"), RANDOM);
    assertEquals("2", v2.primaryVersion());
    WrappedKey rewrapped = v2.rewrap(old, "dek-1", AD);
    assertEquals("2", rewrapped.keyVersion());
    assertArrayEquals(bytes(dek), bytes(v2.unwrap(rewrapped, "dek-1", AD)));
    assertArrayEquals(bytes(dek), bytes(v2.unwrap(old, "dek-1", AD)), "v1 is kept for unwrap");
    assertThrows(
        InvalidCiphertextException.class,
        () -> v1.unwrap(rewrapped, "dek-1", AD),
        "a keyring without v2 cannot unwrap the rewrapped key");
    assertThrows(
        InvalidCiphertextException.class,
        () -> v2.rewrap(old, "dek-1", DataKeyWrapContext.encode("tenant-b", "dek-1")),
        "a rewrap for another tenant is refused as invalid ciphertext");
  }

  @Test
  void wrongKek_failsToUnwrap() {
    InsecureLocalKeyring a = keyring("dev-kek", "a");
    InsecureLocalKeyring b = keyring("dev-kek", "b"); // same name and version, other bytes
    WrappedKey w = a.wrap(DataKey.generate("dek-1", RANDOM), AD);
    InvalidCiphertextException e =
        assertThrows(InvalidCiphertextException.class, () -> b.unwrap(w, "dek-1", AD));
    assertEquals("invalid ciphertext", e.getMessage());
  }

  @Test
  void keyNameMismatch_failsToUnwrap() {
    InsecureLocalKeyring kr = keyring("dev-kek", "kr");
    WrappedKey w = kr.wrap(DataKey.generate("dek-1", RANDOM), AD);
    WrappedKey renamed = WrappedKey.of("other-kek", w.keyVersion(), w.bytes());
    assertThrows(InvalidCiphertextException.class, () -> kr.unwrap(renamed, "dek-1", AD));
    InsecureLocalKeyring sameFileOtherName =
        InsecureLocalKeyring.load("other-kek", dir.resolve("kr"), RANDOM);
    assertThrows(InvalidCiphertextException.class, () -> sameFileOtherName.unwrap(w, "dek-1", AD));
  }

  @Test
  void wrappedKeyMovedToAnotherTenantOrDekId_failsToUnwrap() {
    InsecureLocalKeyring kr = keyring("dev-kek", "kr");
    WrappedKey w = kr.wrap(DataKey.generate("dek-1", RANDOM), AD);
    assertThrows(
        InvalidCiphertextException.class,
        () -> kr.unwrap(w, "dek-1", DataKeyWrapContext.encode("tenant-b", "dek-1")));
    assertThrows(
        InvalidCiphertextException.class,
        () -> kr.unwrap(w, "dek-2", DataKeyWrapContext.encode("tenant-a", "dek-2")));
  }

  @Test
  void everyWrappedByteFlipped_failsToUnwrap() {
    InsecureLocalKeyring kr = keyring("dev-kek", "kr");
    WrappedKey w = kr.wrap(DataKey.generate("dek-1", RANDOM), AD);
    byte[] b = w.bytes();
    for (int i = 0; i < b.length; i++) {
      byte[] t = b.clone();
      t[i] ^= 0x01;
      WrappedKey tampered = WrappedKey.of(w.keyName(), w.keyVersion(), t);
      assertThrows(
          InvalidCiphertextException.class, () -> kr.unwrap(tampered, "dek-1", AD), "byte " + i);
    }
  }

  @Test
  void olderVersion_stillUnwrapsAfterRotation_newWrapsUseNewest() {
    Path p = dir.resolve("rot");
    InsecureLocalKeyring.addVersion(p, "1", RANDOM);
    WrappedKey old =
        InsecureLocalKeyring.load("dev-kek", p, RANDOM).wrap(DataKey.generate("dek-1", RANDOM), AD);
    InsecureLocalKeyring.addVersion(p, "2", RANDOM);
    InsecureLocalKeyring kr = InsecureLocalKeyring.load("dev-kek", p, RANDOM);
    assertEquals("2", kr.primaryVersion());
    assertEquals("2", kr.wrap(DataKey.generate("dek-2", RANDOM), AD).keyVersion());
    kr.unwrap(old, "dek-1", AD);
    WrappedKey claimsV2 = WrappedKey.of("dev-kek", "2", old.bytes());
    assertThrows(InvalidCiphertextException.class, () -> kr.unwrap(claimsV2, "dek-1", AD));
  }

  @Test
  void missingOrMalformedFile_isAKmsError() {
    assertThrows(
        KmsException.class, () -> InsecureLocalKeyring.load("k", dir.resolve("none"), RANDOM));
    Path bad = dir.resolve("bad");
    org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> Files.writeString(bad, "1:AAAA\n"));
    assertThrows(KmsException.class, () -> InsecureLocalKeyring.load("k", bad, RANDOM));
  }

  @Test
  void recoveryKek_eitherKekUnwraps() {
    InsecureLocalKeyring primary = keyring("hsm-kek", "p");
    InsecureLocalKeyring recovery = keyring("recovery-kek", "r");
    RecoveryKeyWrapper both = new RecoveryKeyWrapper(primary, recovery);
    DataKey dek = DataKey.generate("dek-1", RANDOM);
    List<WrappedKey> wraps = both.wrap(dek, AD);
    assertEquals(2, wraps.size());
    assertArrayEquals(bytes(dek), bytes(primary.unwrap(wraps.get(0), "dek-1", AD)));
    assertArrayEquals(bytes(dek), bytes(recovery.unwrap(wraps.get(1), "dek-1", AD)));
    // Primary wrap lost or corrupted: the recovery wrap still opens it.
    byte[] corrupted = wraps.get(0).bytes();
    corrupted[20] ^= 1;
    List<WrappedKey> damaged = List.of(WrappedKey.of("hsm-kek", "1", corrupted), wraps.get(1));
    assertArrayEquals(bytes(dek), bytes(both.unwrap(damaged, "dek-1", AD)));
    assertArrayEquals(bytes(dek), bytes(both.unwrap(List.of(wraps.get(1)), "dek-1", AD)));
    assertThrows(
        InvalidCiphertextException.class, () -> both.unwrap(List.of(damaged.get(0)), "dek-1", AD));
    assertThrows(IllegalArgumentException.class, () -> new RecoveryKeyWrapper(primary, primary));
  }
}
