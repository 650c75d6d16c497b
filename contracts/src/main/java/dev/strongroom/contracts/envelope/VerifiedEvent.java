package dev.strongroom.contracts.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import java.time.Instant;
import java.util.Optional;

/**
 * An event that passed every acceptance rule. {@link #data()} is a private copy; {@link #raw()} are
 * the exact record bytes. {@link #toCloudEvent()} hands the verified bytes to the CloudEvents SDK —
 * only now, after verification, may an SDK (which re-formats {@code time}) see the event.
 */
public final class VerifiedEvent {
  private final String id;
  private final String source;
  private final String type;
  private final String subject;
  private final Instant time;
  private final JsonNode data;
  private final String sigkid;
  private final byte[] raw;

  VerifiedEvent(
      String id,
      String source,
      String type,
      String subject,
      Instant time,
      JsonNode data,
      String sigkid,
      byte[] raw) {
    this.id = id;
    this.source = source;
    this.type = type;
    this.subject = subject;
    this.time = time;
    this.data = data.deepCopy();
    this.sigkid = sigkid;
    this.raw = raw.clone();
  }

  public String id() {
    return id;
  }

  public String source() {
    return source;
  }

  public String type() {
    return type;
  }

  /** The tenant id on tenant-scoped events. */
  public Optional<String> subject() {
    return Optional.ofNullable(subject);
  }

  public Instant time() {
    return time;
  }

  /** A copy of the {@code data} object. */
  public JsonNode data() {
    return data.deepCopy();
  }

  public String sigkid() {
    return sigkid;
  }

  public byte[] raw() {
    return raw.clone();
  }

  /** The verified event as a CloudEvents SDK object. */
  public CloudEvent toCloudEvent() {
    EventFormat format = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
    if (format == null) {
      throw new IllegalStateException("cloudevents-json-jackson is not on the class path");
    }
    return format.deserialize(raw);
  }

  @Override
  public String toString() {
    return "VerifiedEvent[" + type + " " + id + " from " + source + "]";
  }
}
