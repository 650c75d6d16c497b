package dev.strongroom.proof.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

/** An Ed25519 public key as an RFC 8410 SubjectPublicKeyInfo PEM, what {@code openssl} reads. */
public final class Ed25519Pem {
  private Ed25519Pem() {}

  public static String publicKeyPem(byte[] rawPublicKey) {
    try {
      byte[] der =
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(
                  new Ed25519PublicKeyParameters(rawPublicKey, 0))
              .getEncoded();
      return "-----BEGIN PUBLIC KEY-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
          + "\n-----END PUBLIC KEY-----\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The raw 32 bytes of an Ed25519 public key PEM; anything else is a {@link BundleException}. */
  public static byte[] rawPublicKey(String pem) {
    String b64 =
        pem.replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    try {
      var key =
          PublicKeyFactory.createKey(
              SubjectPublicKeyInfo.getInstance(Base64.getDecoder().decode(b64)));
      if (!(key instanceof Ed25519PublicKeyParameters ed)) {
        throw new BundleException("not an Ed25519 public key");
      }
      return ed.getEncoded();
    } catch (IOException | IllegalArgumentException e) {
      throw new BundleException("not an Ed25519 public key PEM", e);
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
