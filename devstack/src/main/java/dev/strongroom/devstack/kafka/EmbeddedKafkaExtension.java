package dev.strongroom.devstack.kafka;

import dev.strongroom.provisioner.pki.PkiDirectory;
import dev.strongroom.provisioner.pki.PkiSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving each test class its own {@link EmbeddedKafka} broker.
 *
 * <pre>
 * &#64;ExtendWith(EmbeddedKafkaExtension.class)
 * class SomethingIT {
 *   &#64;Test
 *   void sends(EmbeddedKafka kafka) { ... kafka.bootstrapServers() ... }
 * }
 * </pre>
 *
 * <p>Before the class's tests, a PKI ({@link PkiSpec#strongroom}) is issued and a broker started in
 * a fresh temporary directory, with mutual TLS and the ACLs of {@link KafkaAccessPolicy}, and the
 * Strongroom topics (and their dead-letter topics) are created. Tests build their clients with
 * {@link EmbeddedKafka#clientConfig(String)} as one of the PKI's identities. After them, the broker
 * is closed and the directory deleted. Test methods, lifecycle methods and constructors may declare
 * an {@link EmbeddedKafka} parameter. {@code @Nested} classes share the broker of their enclosing
 * class.
 */
public final class EmbeddedKafkaExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);
  private static final String BROKER = "broker";
  private static final String DIRECTORY = "directory";

  @Override
  public void beforeAll(ExtensionContext context) {
    brokerFor(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    // remove() only looks at this context's own store: a nested class leaves its parent's broker.
    EmbeddedKafka broker = store.remove(BROKER, EmbeddedKafka.class);
    Path directory = store.remove(DIRECTORY, Path.class);
    try {
      if (broker != null) {
        broker.close();
      }
    } finally {
      if (directory != null) {
        deleteRecursively(directory);
      }
    }
  }

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == EmbeddedKafka.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    try {
      return brokerFor(extensionContext);
    } catch (RuntimeException e) {
      throw new ParameterResolutionException(
          "Cannot start the embedded Kafka broker: " + e.getMessage(), e);
    }
  }

  /**
   * The broker visible from {@code context} (its own or an enclosing class's); if there is none
   * yet, as for a constructor parameter with {@code PER_CLASS} lifecycle, one is started and owned
   * by the nearest class-level context.
   */
  private static EmbeddedKafka brokerFor(ExtensionContext context) {
    EmbeddedKafka existing = context.getStore(NAMESPACE).get(BROKER, EmbeddedKafka.class);
    if (existing != null) {
      return existing;
    }
    ExtensionContext owner = context;
    while (owner.getTestMethod().isPresent() && owner.getParent().isPresent()) {
      owner = owner.getParent().get();
    }
    Path directory;
    try {
      directory = Files.createTempDirectory("strongroom-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary Kafka log directory", e);
    }
    EmbeddedKafka broker = null;
    try {
      PkiDirectory pki = PkiDirectory.open(directory.resolve("pki"), PkiSpec.strongroom(List.of()));
      pki.ensure();
      broker = EmbeddedKafka.start(directory.resolve("kafka"), pki);
      broker.createStrongroomTopics();
    } catch (RuntimeException e) {
      try {
        if (broker != null) {
          broker.close();
        }
      } finally {
        deleteRecursively(directory);
      }
      throw e;
    }
    ExtensionContext.Store store = owner.getStore(NAMESPACE);
    store.put(DIRECTORY, directory);
    store.put(BROKER, broker);
    return broker;
  }

  private static void deleteRecursively(Path root) {
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException e)
                throws IOException {
              if (e != null && !(e instanceof NoSuchFileException)) {
                throw e;
              }
              Files.deleteIfExists(directory);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete Kafka log directory " + root, e);
    }
  }
}
