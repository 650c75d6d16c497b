package dev.strongroom.contracts.envelope;

import java.nio.charset.StandardCharsets;

/**
 * A signed event ready to publish.
 *
 * @param id the event id (UUIDv7)
 * @param type the CloudEvents type
 * @param subject the tenant id on tenant-scoped events, else null
 * @param bytes the record value: canonical JSON including {@code sig}
 * @param signedBytes the exact bytes the signature covers (canonical JSON without {@code sig})
 */
public record SignedEvent(
    String id, String type, String subject, byte[] bytes, byte[] signedBytes) {
  public SignedEvent {
    bytes = bytes.clone();
    signedBytes = signedBytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public byte[] signedBytes() {
    return signedBytes.clone();
  }

  /** The record value as text. */
  public String json() {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
