package dev.strongroom.devstack.cli;

import com.github.f4b6a3.uuid.UuidCreator;
import dev.strongroom.contracts.envelope.EventSigner;
import dev.strongroom.contracts.envelope.EventVerifier;
import dev.strongroom.contracts.envelope.RecordCoordinates;
import dev.strongroom.contracts.envelope.ReplayGuard;
import dev.strongroom.contracts.envelope.SignedEvent;
import dev.strongroom.contracts.envelope.Verdict;
import dev.strongroom.contracts.kafka.DeadLetterHeaders;
import dev.strongroom.contracts.provision.ProvisionCompleted;
import dev.strongroom.contracts.provision.ProvisionProgressed;
import dev.strongroom.contracts.provision.ProvisionRequest;
import dev.strongroom.contracts.provision.StepOutcome;
import dev.strongroom.contracts.schema.EventCatalog;
import dev.strongroom.contracts.topics.Topics;
import dev.strongroom.devstack.kafka.KafkaAccessPolicy;
import dev.strongroom.devstack.keys.DevKeys;
import dev.strongroom.devstack.keys.ProvisionerSsh;
import dev.strongroom.devstack.stack.StackDescriptor;
import dev.strongroom.devstack.stack.StackException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code provision --plan|--apply TARGET} on the running stack: signs the request with the
 * operator's event key, publishes it as {@code ops-dispatch} (the operator tool that may write
 * {@code strongroom.provision.requests}), and follows {@code strongroom.provision.events} and the
 * requests' dead-letter topic as {@code operator} from their ends — positioned before the request
 * is sent, so nothing is missed — until the signed result for the request id, or the dead letter of
 * the very record sent, arrives.
 */
final class ProvisionDispatch {
  /** How a dispatch ended. */
  sealed interface Outcome {}

  /** The provisioner-service's verified result. */
  record Completed(ProvisionCompleted result) implements Outcome {}

  /** The provisioner-service dead-lettered the request. */
  record Refused(String reason, String detail) implements Outcome {}

  /** Nothing came back in time. */
  record NoAnswer(Duration waited) implements Outcome {}

  private ProvisionDispatch() {}

  static Outcome dispatch(
      StrongroomCommand root,
      ProvisionRequest request,
      Duration timeout,
      java.util.function.Consumer<ProvisionProgressed> progress)
      throws IOException {
    if (!Files.exists(root.launcher().stackFile())) {
      throw new StackException("the stack is not up; run ./strongroom up");
    }
    StackDescriptor stack =
        StackDescriptor.fromJson(Files.readAllBytes(root.launcher().stackFile()));
    DevKeys keys = DevKeys.open(root.state().resolve("keys"));
    Clock clock = Clock.systemUTC();
    SignedEvent event =
        new EventSigner(keys.key("operator"), "/strongroom/devstack", clock)
            .sign(EventCatalog.PROVISION_REQUESTED, null, request.toData());
    EventVerifier verifier =
        new EventVerifier(
            keys.registry(),
            EventCatalog.standard(),
            EventVerifier.DEFAULT_SKEW,
            clock,
            ReplayGuard.forSkew(EventVerifier.DEFAULT_SKEW, clock));

    Properties c = new Properties();
    c.putAll(root.launcher().identity("operator").kafkaClient(stack.kafkaBootstrap()));
    c.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        KafkaAccessPolicy.groupFor("operator", "provision-" + UuidCreator.getTimeOrderedEpoch()));
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Properties p = new Properties();
    p.putAll(root.launcher().identity("ops-dispatch").kafkaClient(stack.kafkaBootstrap()));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    String dlq = Topics.dlq(Topics.PROVISION_REQUESTS);
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (String topic : List.of(Topics.PROVISION_EVENTS, dlq)) {
        for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
          parts.add(new TopicPartition(topic, info.partition()));
        }
      }
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(tp -> consumer.position(tp, Duration.ofSeconds(30)));
      RecordMetadata sent;
      try {
        sent =
            producer
                .send(
                    new ProducerRecord<>(
                        Topics.PROVISION_REQUESTS,
                        request.target().getBytes(StandardCharsets.UTF_8),
                        event.bytes()))
                .get();
      } catch (ExecutionException e) {
        throw new StackException("cannot publish the request: " + e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StackException("interrupted publishing the request");
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          if (r.topic().equals(dlq)) {
            if (header(r, DeadLetterHeaders.TOPIC).equals(Topics.PROVISION_REQUESTS)
                && header(r, DeadLetterHeaders.PARTITION).equals(Integer.toString(sent.partition()))
                && header(r, DeadLetterHeaders.OFFSET).equals(Long.toString(sent.offset()))) {
              return new Refused(
                  header(r, DeadLetterHeaders.REASON), header(r, DeadLetterHeaders.DETAIL));
            }
            continue;
          }
          Verdict v =
              verifier.verify(
                  r.value(), new RecordCoordinates(r.topic(), r.partition(), r.offset()));
          if (!(v instanceof Verdict.Accepted ok)
              || !ok.event().source().equals("/strongroom/provisioner-service")
              || !request.requestId().equals(ok.event().data().path("requestId").asText())) {
            continue; // another run's, or not the provisioner-service's: never trusted
          }
          if (ok.event().type().equals(EventCatalog.PROVISION_PROGRESSED.type())) {
            progress.accept(ProvisionProgressed.fromData(ok.event().data()));
          } else if (ok.event().type().equals(EventCatalog.PROVISION_COMPLETED.type())) {
            return new Completed(ProvisionCompleted.fromData(ok.event().data()));
          }
        }
      }
      return new NoAnswer(timeout);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** One line per finished step ({@code STARTED} is not printed). */
  static String line(ProvisionProgressed p) {
    return String.format(
        "  %-12s %s%s", p.status(), p.step(), p.detail().isEmpty() ? "" : " — " + p.detail());
  }

  /** The result's last line; {@code matches} says what a target with no change matches. */
  static String summary(ProvisionCompleted c, String matches) {
    String counts =
        switch (c.mode()) {
          case APPLY ->
              c.count(StepOutcome.CHANGED)
                  + " changed, "
                  + c.count(StepOutcome.UNCHANGED)
                  + " unchanged, "
                  + c.count(StepOutcome.SKIPPED)
                  + " skipped";
          case PLAN ->
              c.count(StepOutcome.WOULD_CHANGE)
                  + " would change, "
                  + c.count(StepOutcome.UNCHANGED)
                  + " unchanged, "
                  + c.count(StepOutcome.SKIPPED)
                  + " skipped";
        };
    return switch (c.outcome()) {
      case CHANGED -> "applied to " + c.target() + ": " + counts;
      case WOULD_CHANGE -> "plan for " + c.target() + ": " + counts + " (nothing changed yet)";
      case NO_CHANGE ->
          "no change: " + c.target() + " already matches " + matches + " (" + counts + ")";
      case FAILED -> {
        ProvisionCompleted.Failure e = c.errorIfFailed().orElseThrow();
        yield "FAILED on "
            + c.target()
            + e.stepIfAny().map(s -> " at step '" + s + "'").orElse("")
            + ": "
            + e.code()
            + ": "
            + e.detail();
      }
    };
  }

  /** What to do about a refusal the operator can fix. */
  static String hint(StrongroomCommand root, String detail) {
    ProvisionerSsh ssh = new ProvisionerSsh(root.state().resolve("provisioner"));
    if (detail.contains("no host key pinned")) {
      return "pin the target's host key in "
          + ssh.knownHosts()
          + " (e.g. ssh-keyscan -p PORT HOST, checked out of band) and authorize "
          + ssh.identityPublic()
          + " in the target's authorized_keys";
    }
    return "";
  }
}
