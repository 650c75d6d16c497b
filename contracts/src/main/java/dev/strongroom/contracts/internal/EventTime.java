package dev.strongroom.contracts.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/** The envelope's {@code time} format: RFC 3339, UTC, exactly millisecond precision, {@code Z}. */
public final class EventTime {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern SHAPE =
      Pattern.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$");

  private EventTime() {}

  public static String format(Instant instant) {
    return FORMAT.format(instant.truncatedTo(ChronoUnit.MILLIS));
  }

  /**
   * Parses the exact envelope form.
   *
   * @throws IllegalArgumentException if the text is not of that form or not a real instant
   */
  public static Instant parse(String text) {
    if (!SHAPE.matcher(text).matches()) {
      throw new IllegalArgumentException("time must look like 2026-11-23T09:00:00.000Z");
    }
    Instant parsed;
    try {
      parsed = Instant.parse(text);
    } catch (DateTimeException e) { // e.g. month 13, day 33
      throw new IllegalArgumentException("time is not a valid instant");
    }
    if (!format(parsed).equals(text)) { // e.g. 24:00:00 or Feb 30 normalised by the parser
      throw new IllegalArgumentException("time is not a valid instant");
    }
    return parsed;
  }
}
