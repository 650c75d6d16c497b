package dev.strongroom.contracts.kafka;

/** Headers a dead-lettered record carries (DESIGN §3); values are UTF-8 text. */
public final class DeadLetterHeaders {
  /** The {@link dev.strongroom.contracts.errors.ErrorCode#code()} of the refusal. */
  public static final String REASON = "strongroom.dlq.reason";

  /** One line saying what exactly was wrong (envelope attributes only, never data). */
  public static final String DETAIL = "strongroom.dlq.detail";

  /** Topic the record was read from. */
  public static final String TOPIC = "strongroom.dlq.topic";

  /** Partition it was read from, decimal. */
  public static final String PARTITION = "strongroom.dlq.partition";

  /** Offset it was read at, decimal. */
  public static final String OFFSET = "strongroom.dlq.offset";

  private DeadLetterHeaders() {}
}
