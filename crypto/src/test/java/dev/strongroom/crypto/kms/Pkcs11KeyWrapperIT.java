package dev.strongroom.crypto.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.crypto.DataKey;
import dev.strongroom.crypto.InvalidCiphertextException;
import dev.strongroom.crypto.KmsException;
import dev.strongroom.crypto.SecretKeyAccess;
import dev.strongroom.crypto.aead.AesGcmHkdfFieldCipher;
import dev.strongroom.crypto.aead.EncryptedField;
import dev.strongroom.crypto.aead.FieldContext;
import dev.strongroom.crypto.cache.DataKeyCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against real SoftHSM2 2.6 through SunPKCS11: two fresh tokens in a private token directory
 * (SOFTHSM2_CONF points to target/softhsm/softhsm2.conf, set by the failsafe configuration), each
 * with its own non-extractable KEK "hsm-kek@1" generated inside the token.
 */
class Pkcs11KeyWrapperIT {
  private static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  private static final char[] PIN = "4711-user".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] AD = DataKeyWrapContext.encode("tenant-a", "dek-1");

  private static long slotA;
  private static long slotC;
  private static Provider tokenA;
  private static Provider tokenB;
  private static Pkcs11KeyWrapper wrapperA;
  private static Pkcs11KeyWrapper wrapperB;

  @BeforeAll
  static void freshTokens() throws Exception {
    String conf = System.getenv("SOFTHSM2_CONF");
    String dir = System.getProperty("strongroom.softhsm.dir");
    assertNotNull(conf, "SOFTHSM2_CONF must be set (failsafe does it)");
    assertNotNull(dir, "strongroom.softhsm.dir must be set (failsafe does it)");
    assertTrue(Files.isRegularFile(LIBRARY), "SoftHSM2 is not installed at " + LIBRARY);
    Path tokens = Path.of(dir, "tokens");
    if (Files.exists(tokens)) {
      try (Stream<Path> s = Files.walk(tokens)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(tokens);
    Files.writeString(
        Path.of(conf),
        "directories.tokendir = "
            + tokens.toAbsolutePath()
            + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
    slotA = initToken("strongroom-a");
    long slotB = initToken("strongroom-b");
    slotC = initToken("strongroom-c"); // nobody logs in to this one but wrongPin_isAKmsError
    tokenA = Pkcs11KeyWrapper.configureProvider("StrongroomA", LIBRARY, slotA);
    tokenB = Pkcs11KeyWrapper.configureProvider("StrongroomB", LIBRARY, slotB);
    Pkcs11KeyWrapper.generateKek(tokenA, PIN, "hsm-kek", "1");
    Pkcs11KeyWrapper.generateKek(tokenA, PIN, "hsm-kek", "2");
    Pkcs11KeyWrapper.generateKek(tokenB, PIN, "hsm-kek", "1");
    wrapperA = Pkcs11KeyWrapper.open(tokenA, PIN, "hsm-kek", "1", RANDOM);
    wrapperB = Pkcs11KeyWrapper.open(tokenB, PIN, "hsm-kek", "1", RANDOM);
  }

  private static long initToken(String label) throws IOException, InterruptedException {
    String out =
        run(
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            new String(PIN),
            "--so-pin",
            "4711-so");
    Matcher m = Pattern.compile("reassigned to slot (\\d+)").matcher(out);
    assertTrue(m.find(), "softhsm2-util said: " + out);
    return Long.parseLong(m.group(1));
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    return out;
  }

  private static byte[] bytes(DataKey k) {
    return k.useKeyBytes(SecretKeyAccess.insecure(), byte[]::clone);
  }

  @Test
  void wrapThenUnwrap_returnsTheDataKey() {
    DataKey dek = DataKey.generate("dek-1", RANDOM);
    WrappedKey w = wrapperA.wrap(dek, AD);
    assertEquals("hsm-kek", w.keyName());
    assertEquals("1", w.keyVersion());
    assertEquals(62, w.bytes().length);
    assertArrayEquals(bytes(dek), bytes(wrapperA.unwrap(w, "dek-1", AD)));
  }

  @Test
  void wrongKek_failsToUnwrap() {
    WrappedKey w = wrapperA.wrap(DataKey.generate("dek-1", RANDOM), AD);
    WrappedKey claimsV2 = WrappedKey.of("hsm-kek", "2", w.bytes()); // another KEK in the same token
    InvalidCiphertextException e =
        assertThrows(
            InvalidCiphertextException.class, () -> wrapperA.unwrap(claimsV2, "dek-1", AD));
    assertEquals("invalid ciphertext", e.getMessage());
    WrappedKey unknownVersion = WrappedKey.of("hsm-kek", "9", w.bytes());
    assertThrows(
        InvalidCiphertextException.class, () -> wrapperA.unwrap(unknownVersion, "dek-1", AD));
  }

  @Test
  void wrappedKeyFromAnotherToken_failsToUnwrap() {
    WrappedKey fromB =
        wrapperB.wrap(DataKey.generate("dek-1", RANDOM), AD); // same name and version, token B
    assertThrows(InvalidCiphertextException.class, () -> wrapperA.unwrap(fromB, "dek-1", AD));
    WrappedKey fromA = wrapperA.wrap(DataKey.generate("dek-1", RANDOM), AD);
    assertThrows(InvalidCiphertextException.class, () -> wrapperB.unwrap(fromA, "dek-1", AD));
  }

  @Test
  void keyNameMismatch_failsToUnwrap() {
    WrappedKey w = wrapperA.wrap(DataKey.generate("dek-1", RANDOM), AD);
    assertThrows(
        InvalidCiphertextException.class,
        () -> wrapperA.unwrap(WrappedKey.of("other-kek", "1", w.bytes()), "dek-1", AD));
  }

  @Test
  void otherAssociatedDataOrTamperedBytes_failToUnwrap() {
    WrappedKey w = wrapperA.wrap(DataKey.generate("dek-1", RANDOM), AD);
    assertThrows(
        InvalidCiphertextException.class,
        () -> wrapperA.unwrap(w, "dek-1", DataKeyWrapContext.encode("tenant-b", "dek-1")));
    byte[] b = w.bytes();
    for (int i = 0; i < b.length; i++) {
      byte[] t = b.clone();
      t[i] ^= 0x40;
      WrappedKey tampered = WrappedKey.of("hsm-kek", "1", t);
      assertThrows(
          InvalidCiphertextException.class,
          () -> wrapperA.unwrap(tampered, "dek-1", AD),
          "byte " + i);
    }
  }

  @Test
  void kek_isNotExtractable() throws Exception {
    Key kek = wrapperA.kek("1");
    assertNull(kek.getEncoded(), "the JCA key object exposes no bytes");
    SecretKeyFactory f = SecretKeyFactory.getInstance("AES", tokenA);
    assertThrows(
        InvalidKeySpecException.class, () -> f.getKeySpec((SecretKey) kek, SecretKeySpec.class));
    // Independent check with OpenSC's pkcs11-tool, outside the JVM: the token reports the object
    // as sensitive and never extractable, and refuses to read its value.
    String objects =
        run(
            "pkcs11-tool",
            "--module",
            LIBRARY.toString(),
            "--slot",
            Long.toString(slotA),
            "--login",
            "--pin",
            new String(PIN),
            "--list-objects",
            "--type",
            "secrkey");
    assertTrue(objects.contains("label:      hsm-kek@1"), objects);
    assertTrue(objects.contains("never extractable"), objects);
    assertTrue(objects.contains("sensitive"), objects);
    Process read =
        new ProcessBuilder(
                "pkcs11-tool",
                "--module",
                LIBRARY.toString(),
                "--slot",
                Long.toString(slotA),
                "--login",
                "--pin",
                new String(PIN),
                "--read-object",
                "--type",
                "secrkey",
                "--label",
                "hsm-kek@1")
            .redirectErrorStream(true)
            .start();
    String readOut = new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(
        read.waitFor() != 0 || readOut.isBlank(), "key value must not be readable: " + readOut);
  }

  @Test
  void generateKek_refusesToReplaceAnExistingKek() {
    assertThrows(
        KmsException.class, () -> Pkcs11KeyWrapper.generateKek(tokenA, PIN, "hsm-kek", "1"));
  }

  @Test
  void wrongPin_isAKmsError() {
    // A token no one in this JVM is logged in to (PKCS#11 login state is per token, not per
    // session).
    Provider p = Pkcs11KeyWrapper.configureProvider("StrongroomC", LIBRARY, slotC);
    assertThrows(
        KmsException.class,
        () -> Pkcs11KeyWrapper.open(p, "wrong".toCharArray(), "hsm-kek", "1", RANDOM));
  }

  @Test
  void missingKek_isAKmsError() {
    assertThrows(
        KmsException.class, () -> Pkcs11KeyWrapper.open(tokenA, PIN, "no-such-kek", "1", RANDOM));
  }

  @Test
  void recoveryKek_eitherUnwraps(@org.junit.jupiter.api.io.TempDir Path dir) {
    Path file = dir.resolve("recovery");
    InsecureLocalKeyring.addVersion(file, "1", RANDOM);
    InsecureLocalKeyring recovery = InsecureLocalKeyring.load("recovery-kek", file, RANDOM);
    RecoveryKeyWrapper both = new RecoveryKeyWrapper(wrapperA, recovery);
    DataKey dek = DataKey.generate("dek-1", RANDOM);
    List<WrappedKey> wraps = both.wrap(dek, AD);
    assertArrayEquals(bytes(dek), bytes(wrapperA.unwrap(wraps.get(0), "dek-1", AD)));
    assertArrayEquals(bytes(dek), bytes(recovery.unwrap(wraps.get(1), "dek-1", AD)));
    assertArrayEquals(bytes(dek), bytes(both.unwrap(List.of(wraps.get(1)), "dek-1", AD)));
  }

  @Test
  void cacheOverHsm_encryptsManyRecordsWithOneWrapAndDecryptsAfterUnwrap() {
    try (DataKeyCache cache = DataKeyCache.create(wrapperA, RANDOM)) {
      String dekId = null;
      WrappedKey wrapped = null;
      EncryptedField last = null;
      FieldContext lastCtx = null;
      for (int i = 0; i < 1000; i++) {
        try (DataKeyCache.Lease lease = cache.acquire("tenant-a", 5)) {
          lastCtx =
              FieldContext.builder()
                  .tenantId("tenant-a")
                  .recordId(UUID.randomUUID())
                  .fieldName("name")
                  .schemaVersion(1)
                  .dataKeyId(lease.dataKeyId())
                  .build();
          last = lease.cipher().encrypt("Grace".getBytes(StandardCharsets.UTF_8), lastCtx);
          dekId = lease.dataKeyId();
          wrapped = lease.wrappedKey();
        }
      }
      DataKey dek = wrapperA.unwrap(wrapped, dekId, DataKeyWrapContext.encode("tenant-a", dekId));
      assertEquals(
          "Grace",
          new String(
              AesGcmHkdfFieldCipher.create(dek, RANDOM).decrypt(last, lastCtx),
              StandardCharsets.UTF_8));
    }
  }
}
