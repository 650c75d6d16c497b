package dev.strongroom.contracts.testing;

import dev.strongroom.contracts.keys.KeyRegistry;
import dev.strongroom.contracts.keys.RegisteredKey;
import dev.strongroom.contracts.keys.SigningKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;

/**
 * Deterministic test keys: the seed of a named key is SHA-256("strongroom test key " + name).
 * Public so other modules' tests (through the contracts test-jar) sign with the same keys. Never
 * use outside tests.
 */
public final class TestKeys {
  public static final Instant NOT_BEFORE = Instant.parse("2020-01-01T00:00:00Z");
  public static final Instant NOT_AFTER = Instant.parse("2099-12-31T23:59:59Z");

  private TestKeys() {}

  public static byte[] seed(String name) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(("strongroom test key " + name).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static SigningKey key(String name) {
    return SigningKey.fromSeed(seed(name));
  }

  /** An entry for the named key, valid 2020–2099. */
  public static RegisteredKey entry(String name, String source, List<String> types) {
    return KeyRegistry.entry(key(name), source, types, NOT_BEFORE, NOT_AFTER);
  }
}
