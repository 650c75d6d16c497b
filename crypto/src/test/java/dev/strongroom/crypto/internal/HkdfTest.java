package dev.strongroom.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.strongroom.crypto.Hex;
import java.util.Random;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;

class HkdfTest {

  /** RFC 5869 Appendix A.1 (Test Case 1, SHA-256). */
  @Test
  void rfc5869TestCase1_matchesPublishedPrkAndOkm() {
    byte[] ikm = Hex.decode("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    byte[] salt = Hex.decode("000102030405060708090a0b0c");
    byte[] info = Hex.decode("f0f1f2f3f4f5f6f7f8f9");
    byte[] prk = Hkdf.SHA256.extract(salt, ikm);
    assertArrayEquals(
        Hex.decode("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"), prk);
    assertArrayEquals(
        Hex.decode(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
        Hkdf.SHA256.expand(prk, info, 42));
  }

  /** HKDF-SHA-512 agrees with Bouncy Castle's independent implementation on random inputs. */
  @Test
  void hkdfSha512_agreesWithBouncyCastle() {
    Random r = new Random(42);
    for (int i = 0; i < 200; i++) {
      byte[] ikm = new byte[1 + r.nextInt(64)];
      byte[] salt = new byte[r.nextInt(80)];
      byte[] info = new byte[r.nextInt(40)];
      r.nextBytes(ikm);
      r.nextBytes(salt);
      r.nextBytes(info);
      int len = 1 + r.nextInt(200);
      HKDFBytesGenerator bc = new HKDFBytesGenerator(new SHA512Digest());
      bc.init(new HKDFParameters(ikm, salt, info));
      byte[] expected = new byte[len];
      bc.generateBytes(expected, 0, len);
      assertArrayEquals(expected, Hkdf.SHA512.derive(salt, ikm, info, len), "case " + i);
    }
  }
}
