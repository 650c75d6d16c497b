package dev.strongroom.dataservice.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The data-service's consumer loop on plain kafka-clients: poll a batch of store requests, run it
 * in lanes, publish every outcome and commit the offsets in one Kafka transaction.
 *
 * <p><b>Order.</b> A lane is one (partition, record key) pair; the key is the tenant (DESIGN §3),
 * so one tenant's requests in a partition are stored one after the other in offset order, while
 * different tenants' lanes run in parallel on the lane executor (bounded by the database pool). The
 * next batch is polled only after the whole batch is committed.
 *
 * <p><b>Exactly once.</b> Each record's database effect commits first (the procedure runs in
 * autocommit). Then its result, dead letter and alert are sent and the batch's offsets are added
 * with {@code sendOffsetsToTransaction} (with the group's metadata, so a consumer that lost its
 * partitions in a rebalance is fenced), and the transaction commits: downstream {@code
 * read_committed} readers see a result exactly when the offset moved. A crash between the database
 * commit and the Kafka commit replays the batch; the database's unique request id turns the replay
 * into {@code DUPLICATE}, so a request has exactly one row and exactly one committed result.
 *
 * <p>A failed transaction is aborted and the batch's partitions are rewound to the batch's first
 * offsets (the last committed position), to be processed again.
 */
public final class StoreLoop implements Runnable, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(StoreLoop.class);

  private final Consumer<byte[], byte[]> consumer;
  private final Supplier<Producer<byte[], byte[]>> producers;
  private final StoreProcessor processor;
  private final ExecutorService lanes;
  private final String topic;
  private final Duration pollTimeout;
  private volatile boolean running = true;
  private volatile boolean healthy = false;
  private volatile String problem = "not started";
  private Producer<byte[], byte[]> producer;

  /**
   * @param producers makes a transactional producer (a new one after a fatal producer error)
   */
  public StoreLoop(
      Consumer<byte[], byte[]> consumer,
      Supplier<Producer<byte[], byte[]>> producers,
      StoreProcessor processor,
      ExecutorService lanes,
      String topic,
      Duration pollTimeout) {
    this.consumer = Objects.requireNonNull(consumer);
    this.producers = Objects.requireNonNull(producers);
    this.processor = Objects.requireNonNull(processor);
    this.lanes = Objects.requireNonNull(lanes);
    this.topic = Objects.requireNonNull(topic);
    this.pollTimeout = Objects.requireNonNull(pollTimeout);
  }

  /** True while the loop runs and its last transaction (if any) committed. */
  public boolean healthy() {
    return healthy && running;
  }

  /** Why the loop is not healthy. */
  public String problem() {
    return problem;
  }

  @Override
  public void run() {
    try {
      producer = newProducer();
      consumer.subscribe(List.of(topic));
      healthy = true;
      problem = "";
      while (running) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(pollTimeout);
        } catch (WakeupException e) {
          break;
        }
        if (!records.isEmpty()) {
          processBatch(records);
        }
      }
    } catch (RuntimeException e) {
      if (running) {
        LOG.errorf(e, "store loop stopped: %s", e.getMessage());
        problem = "stopped: " + e;
      }
    } finally {
      healthy = false;
      try {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        LOG.debugf("closing the consumer: %s", e.getMessage());
      }
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
    }
  }

  private record Lane(int partition, List<Byte> key) {}

  private void processBatch(ConsumerRecords<byte[], byte[]> records) {
    Map<Lane, List<ConsumerRecord<byte[], byte[]>>> byLane = new LinkedHashMap<>();
    Map<TopicPartition, Long> first = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      first.putIfAbsent(tp, r.offset());
      next.put(tp, new OffsetAndMetadata(r.offset() + 1));
      byLane
          .computeIfAbsent(new Lane(r.partition(), keyOf(r.key())), k -> new ArrayList<>())
          .add(r);
    }
    List<CompletableFuture<List<ProducerRecord<byte[], byte[]>>>> futures = new ArrayList<>();
    for (List<ConsumerRecord<byte[], byte[]>> lane : byLane.values()) {
      futures.add(
          CompletableFuture.supplyAsync(
              () -> {
                List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : lane) {
                  out.addAll(processor.process(r, () -> running));
                }
                return out;
              },
              lanes));
    }
    List<ProducerRecord<byte[], byte[]>> outputs = new ArrayList<>();
    try {
      for (CompletableFuture<List<ProducerRecord<byte[], byte[]>>> f : futures) {
        outputs.addAll(f.join());
      }
    } catch (CompletionException e) {
      // stopping (or an unexpected failure): nothing of this batch is published or committed
      rewind(first);
      if (e.getCause() instanceof StoreProcessor.Stopped) {
        return;
      }
      throw e;
    }
    commit(outputs, next, first);
  }

  private void commit(
      List<ProducerRecord<byte[], byte[]>> outputs,
      Map<TopicPartition, OffsetAndMetadata> next,
      Map<TopicPartition, Long> first) {
    try {
      producer.beginTransaction();
      for (ProducerRecord<byte[], byte[]> r : outputs) {
        // commitTransaction() flushes and throws if any send of the transaction failed, so a
        // failed send is never lost unseen: the batch is aborted and processed again
        Future<RecordMetadata> unused = producer.send(r);
      }
      producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
      producer.commitTransaction();
      healthy = true;
      problem = "";
    } catch (KafkaException e) {
      LOG.warnf(
          "transaction of %d outputs failed (%s); aborting and processing the batch again",
          outputs.size(), e.toString());
      healthy = false;
      problem = "last transaction failed: " + e.getMessage();
      try {
        producer.abortTransaction();
      } catch (RuntimeException abort) {
        LOG.warnf("abort failed (%s); starting a new producer", abort.toString());
        try {
          producer.close(Duration.ZERO);
        } catch (RuntimeException ignored) {
          // already broken
        }
        producer = newProducer();
      }
      rewind(first);
    }
  }

  private Producer<byte[], byte[]> newProducer() {
    while (running) {
      Producer<byte[], byte[]> p = producers.get();
      try {
        p.initTransactions();
        return p;
      } catch (KafkaException e) {
        LOG.warnf("cannot initialise transactions (%s); retrying", e.toString());
        p.close(Duration.ZERO);
        problem = "cannot initialise transactions: " + e.getMessage();
        sleep(1000);
      }
    }
    throw new IllegalStateException("stopped");
  }

  private void rewind(Map<TopicPartition, Long> first) {
    for (Map.Entry<TopicPartition, Long> e : first.entrySet()) {
      if (consumer.assignment().contains(e.getKey())) {
        consumer.seek(e.getKey(), e.getValue());
      }
    }
  }

  private static List<Byte> keyOf(byte[] key) {
    if (key == null) {
      return List.of();
    }
    Byte[] boxed = new Byte[key.length];
    for (int i = 0; i < key.length; i++) {
      boxed[i] = key[i];
    }
    return Arrays.asList(boxed);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops after the batch in hand (a retrying record gives up, unpublished and uncommitted). */
  @Override
  public void close() {
    running = false;
    consumer.wakeup();
  }
}
