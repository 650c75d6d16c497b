package dev.strongroom.devstack.keys;

import dev.strongroom.audit.note.CosignatureV1Signer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The devstack's own C2SP witness (the audit library's {@code WitnessServer}, a process of the
 * stack): its cosignature/v1 key's seed in {@code witness.seed} (0600, base64) and where it
 * listens. The audit-anchor-service sends it every checkpoint ({@code
 * strongroom.audit-anchor.witnesses.devstack.*}). Development only: a production witness is run by
 * someone other than the log's operator.
 *
 * @param seedFile the seed file (a secret)
 * @param url the submission prefix ({@code http://127.0.0.1:<port>})
 * @param verifierKey {@code <name>+<hex id>+base64(0x04 || key)}
 */
public record DevWitness(Path seedFile, String url, String verifierKey) {
  /** The witness's name. */
  public static final String NAME = "witness.strongroom.local/devstack";

  /** The label of the witness in the service's configuration. */
  public static final String LABEL = "devstack";

  /** A new seed in {@code keyDir}; the witness will listen on loopback {@code port}. */
  public static DevWitness generate(Path keyDir, int port) throws IOException {
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    Path f = keyDir.resolve("witness.seed");
    Files.deleteIfExists(f);
    Files.createFile(
        f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        f, Base64.getEncoder().encodeToString(seed) + "\n", StandardCharsets.US_ASCII);
    return open(keyDir, port);
  }

  /**
   * The witness of an earlier {@code up} when its seed is in {@code keyDir} (it keeps cosigning the
   * same log with the same key, from the size it last cosigned), else a new one.
   */
  public static DevWitness openOrGenerate(Path keyDir, int port) throws IOException {
    return Files.isRegularFile(keyDir.resolve("witness.seed"))
        ? open(keyDir, port)
        : generate(keyDir, port);
  }

  /** The witness whose seed is in {@code keyDir}, listening on {@code port}. */
  public static DevWitness open(Path keyDir, int port) throws IOException {
    Path f = keyDir.resolve("witness.seed");
    byte[] seed =
        Base64.getDecoder().decode(Files.readString(f, StandardCharsets.US_ASCII).strip());
    return new DevWitness(
        f, "http://127.0.0.1:" + port, CosignatureV1Signer.fromSeed(NAME, seed).verifierKey());
  }

  /** The port from {@link #url()}. */
  public int port() {
    return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
  }
}
