package dev.strongroom.devstack.kafka;

import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs an {@link EmbeddedKafka} broker as a process of its own, for the local stack launcher.
 *
 * <pre>
 * java -cp ... dev.strongroom.devstack.kafka.KafkaMain --log-dir DIR --pki DIR --ready-file FILE [--port P]
 * </pre>
 *
 * <p>{@code --port} puts the client listener on port P (a restart of the stack's broker on its old
 * address); without it a free port is picked.
 *
 * <p>Starts the broker on {@code DIR} with mutual TLS from the PKI directory given by {@code --pki}
 * (ensured first; see {@link EmbeddedKafka}), creates the Strongroom topics and their dead-letter
 * topics, then atomically writes the bootstrap address ({@code 127.0.0.1:<port>}, no line break) to
 * {@code FILE} and prints {@code kafka ready at 127.0.0.1:<port>} to standard output. A stale
 * {@code FILE} is deleted first, so its presence means this broker is ready. The process then runs
 * until the JVM is asked to stop (SIGTERM, SIGINT): a shutdown hook deletes {@code FILE} and closes
 * the broker cleanly.
 *
 * <p>Exit status: {@value #EXIT_USAGE} for bad arguments, {@value #EXIT_STARTUP_FAILED} if the
 * broker cannot be started or prepared; the reason goes to standard error.
 */
public final class KafkaMain {

  /** Exit status for invalid command-line arguments. */
  public static final int EXIT_USAGE = 2;

  /** Exit status when the broker cannot be started, given its topics, or announced. */
  public static final int EXIT_STARTUP_FAILED = 3;

  private static final String USAGE =
      "usage: KafkaMain --log-dir DIR --pki DIR --ready-file FILE [--port P]";

  private KafkaMain() {}

  /** Entry point; see the class documentation. */
  public static void main(String[] args) {
    Arguments arguments;
    try {
      arguments = Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("kafka: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(EXIT_USAGE);
      return;
    }

    AtomicReference<EmbeddedKafka> broker = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> stop(broker.get(), arguments.readyFile, stopped), "kafka-shutdown"));

    String bootstrap;
    try {
      Files.deleteIfExists(arguments.readyFile);
      PkiDirectory pki = PkiDirectory.open(arguments.pkiDir, PkiSpec.strongroom(List.of()));
      pki.ensure();
      EmbeddedKafka kafka = EmbeddedKafka.start(arguments.logDir, pki, arguments.port);
      broker.set(kafka);
      kafka.createStrongroomTopics();
      bootstrap = kafka.bootstrapServers();
      writeAtomically(arguments.readyFile, bootstrap);
    } catch (Exception e) {
      System.err.println("kafka: startup failed: " + describe(e));
      System.exit(EXIT_STARTUP_FAILED); // the shutdown hook closes a broker that did start
      return;
    }

    System.out.println("kafka ready at " + bootstrap);
    System.out.flush();

    // The broker runs on its own threads; keep main alive until the shutdown hook has finished.
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Shutdown hook body: withdraws the ready file, then stops the broker if it was started. */
  private static void stop(EmbeddedKafka kafka, Path readyFile, CountDownLatch stopped) {
    try {
      Files.deleteIfExists(readyFile);
    } catch (IOException e) {
      System.err.println("kafka: cannot delete " + readyFile + ": " + e);
    }
    try {
      if (kafka != null) {
        kafka.close();
      }
    } catch (RuntimeException e) {
      System.err.println("kafka: error while stopping the broker: " + describe(e));
    } finally {
      stopped.countDown();
    }
  }

  /** Writes {@code content} to {@code target} so that readers see either nothing or all of it. */
  static void writeAtomically(Path target, String content) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path parent = absolute.getParent();
    Files.createDirectories(parent);
    Path temp = Files.createTempFile(parent, "." + absolute.getFileName(), ".tmp");
    try {
      Files.writeString(temp, content, StandardCharsets.UTF_8);
      Files.move(
          temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** The message of {@code e} followed by those of its causes. */
  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e));
    Throwable cause = e.getCause();
    for (int depth = 0; cause != null && depth < 10; depth++, cause = cause.getCause()) {
      String line = String.valueOf(cause);
      if (text.indexOf(line) < 0) {
        text.append("; caused by ").append(line);
      }
    }
    return text.toString();
  }

  /** Parsed command line. */
  private static final class Arguments {
    final Path logDir;
    final Path pkiDir;
    final Path readyFile;
    final int port;

    private Arguments(Path logDir, Path pkiDir, Path readyFile, int port) {
      this.logDir = logDir;
      this.pkiDir = pkiDir;
      this.readyFile = readyFile;
      this.port = port;
    }

    static Arguments parse(String[] args) {
      Path logDir = null;
      Path pkiDir = null;
      Path readyFile = null;
      int port = 0;
      for (int i = 0; i < args.length; i++) {
        String option = args[i];
        switch (option) {
          case "--log-dir":
            logDir = Path.of(value(args, ++i, option));
            break;
          case "--pki":
            pkiDir = Path.of(value(args, ++i, option));
            break;
          case "--ready-file":
            readyFile = Path.of(value(args, ++i, option));
            break;
          case "--port":
            String v = value(args, ++i, option);
            try {
              port = Integer.parseInt(v);
            } catch (NumberFormatException e) {
              port = -1;
            }
            if (port < 1 || port > 65535) {
              throw new IllegalArgumentException("--port must be from 1 to 65535, not " + v);
            }
            break;
          default:
            throw new IllegalArgumentException("unknown argument: " + option);
        }
      }
      if (logDir == null) {
        throw new IllegalArgumentException("missing --log-dir");
      }
      if (pkiDir == null) {
        throw new IllegalArgumentException("missing --pki");
      }
      if (readyFile == null) {
        throw new IllegalArgumentException("missing --ready-file");
      }
      return new Arguments(logDir, pkiDir, readyFile, port);
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length || args[index].isBlank()) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[index];
    }
  }
}
