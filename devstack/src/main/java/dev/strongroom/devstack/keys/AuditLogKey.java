package dev.strongroom.devstack.keys;

import dev.strongroom.audit.note.Ed25519NoteSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The devstack's audit log key (DESIGN §5): an Ed25519 C2SP signed-note key whose name is the log's
 * origin. {@code audit-log.key} (0600) holds the signer key string the audit-anchor-service reads
 * ({@code strongroom.audit-anchor.log-key}); {@code audit-log.pub.pem} the public key as
 * SubjectPublicKeyInfo PEM ({@code stack.json audit.verifierKeyPem}); {@link #verifierKey()} is
 * {@code audit.verifierKey}.
 *
 * @param keyFile the signer key file (a secret)
 * @param pemFile the public key, PEM
 * @param verifierKey the C2SP verifier key {@code <origin>+<hex id>+base64(0x01 || key)}
 */
public record AuditLogKey(Path keyFile, Path pemFile, String verifierKey) {
  /** The origin the devstack's log carries. */
  public static final String ORIGIN = "strongroom.local/devstack";

  /** Generates a new key into {@code dir} (created 0700 if missing). */
  public static AuditLogKey generate(Path dir) throws IOException {
    Files.createDirectories(dir);
    Ed25519NoteSigner signer = Ed25519NoteSigner.generate(ORIGIN, new SecureRandom());
    Path key = dir.resolve("audit-log.key");
    Files.deleteIfExists(key);
    Files.createFile(
        key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(key, signer.signerKey() + "\n", StandardCharsets.US_ASCII);
    return withPublicKey(dir, key, signer);
  }

  /**
   * The key already in {@code dir} ({@code up} after {@code down}: the log goes on under the key
   * its checkpoints are signed with, so {@code verify-audit} still verifies every one), or a new
   * one when there is none.
   */
  public static AuditLogKey openOrGenerate(Path dir) throws IOException {
    Path key = dir.resolve("audit-log.key");
    if (!Files.isRegularFile(key)) {
      return generate(dir);
    }
    Ed25519NoteSigner signer =
        Ed25519NoteSigner.fromSignerKey(Files.readString(key, StandardCharsets.US_ASCII).strip());
    return withPublicKey(dir, key, signer);
  }

  private static AuditLogKey withPublicKey(Path dir, Path key, Ed25519NoteSigner signer)
      throws IOException {
    Path pem = dir.resolve("audit-log.pub.pem");
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(signer.verifier().jdkPublicKey().getEncoded());
    Files.writeString(
        pem,
        "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n",
        StandardCharsets.US_ASCII);
    return new AuditLogKey(key, pem, signer.verifierKey());
  }
}
