package dev.strongroom.contracts.internal;

import dev.strongroom.contracts.errors.InvalidConfigurationException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * PKCS#8 {@code PRIVATE KEY} PEM, read and written through Bouncy Castle (openssl genpkey
 * compatible).
 */
public final class Pkcs8Pem {
  private Pkcs8Pem() {}

  /**
   * Parses a PKCS#8 PEM private key of {@code type} (e.g. Ed25519, X25519).
   *
   * @throws InvalidConfigurationException if the text is not such a key
   */
  public static <T extends AsymmetricKeyParameter> T read(String pem, Class<T> type, String what) {
    try (PemReader reader = new PemReader(new StringReader(pem))) {
      PemObject obj = reader.readPemObject();
      if (obj == null || !"PRIVATE KEY".equals(obj.getType())) {
        throw new InvalidConfigurationException("expected a PKCS#8 'PRIVATE KEY' PEM block");
      }
      AsymmetricKeyParameter params = PrivateKeyFactory.createKey(obj.getContent());
      if (!type.isInstance(params)) {
        throw new InvalidConfigurationException("the private key is not an " + what + " key");
      }
      return type.cast(params);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidConfigurationException(
          "unreadable " + what + " private key: " + e.getMessage(), e);
    }
  }

  /** Reads a PKCS#8 PEM file. */
  public static <T extends AsymmetricKeyParameter> T load(Path file, Class<T> type, String what) {
    try {
      return read(Files.readString(file, StandardCharsets.US_ASCII), type, what);
    } catch (IOException e) {
      throw new InvalidConfigurationException(
          "cannot read " + what + " key " + file + ": " + e.getMessage(), e);
    }
  }

  /** The PKCS#8 PEM text of {@code key} (keep it at mode 0600). */
  public static String write(AsymmetricKeyParameter key) {
    try {
      StringWriter out = new StringWriter();
      try (PemWriter writer = new PemWriter(out)) {
        writer.writeObject(
            new PemObject(
                "PRIVATE KEY", PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded()));
      }
      return out.toString();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the key", e);
    }
  }
}
