package dev.strongroom.devstack.kafka;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Formats a KRaft log directory, as {@code kafka-storage.sh format} does, with Kafka's own {@code
 * org.apache.kafka.metadata.storage.Formatter} at release version {@code
 * MetadataVersion.LATEST_PRODUCTION}.
 *
 * <p>{@code Formatter} (kafka-metadata) and {@code MetadataVersion} (kafka-server-common) reach
 * devstack only as <em>runtime</em> dependencies of {@code kafka_2.13}, so they are not on the
 * compile class path and are called reflectively here, in this one place. The calls are exactly:
 *
 * <pre>
 * new Formatter()
 *     .setPrintStream(out)
 *     .setNodeId(nodeId)
 *     .setClusterId(clusterId)
 *     .setControllerListenerName(controllerListenerName)
 *     .setMetadataLogDirectory(dir)
 *     .addDirectory(dir)
 *     .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
 *     .run();
 * </pre>
 *
 * <p>No initial controllers are given, so the directory is formatted for a static quorum ({@code
 * controller.quorum.voters}, {@code kraft.version=0}).
 */
final class KRaftStorage {

  /** The file whose presence marks a formatted log directory. */
  static final String META_PROPERTIES = "meta.properties";

  private static final String FORMATTER = "org.apache.kafka.metadata.storage.Formatter";
  private static final String METADATA_VERSION = "org.apache.kafka.server.common.MetadataVersion";

  private KRaftStorage() {}

  /** Whether {@code dir} holds a {@value #META_PROPERTIES}, i.e. was formatted before. */
  static boolean isFormatted(Path dir) {
    return Files.exists(dir.resolve(META_PROPERTIES));
  }

  /**
   * Formats {@code dir} as the log and metadata log directory of node {@code nodeId}.
   *
   * @param out where the formatter reports what it did
   * @throws Exception what the formatter throws, e.g. if the directory is already formatted
   */
  static void format(Path dir, int nodeId, String clusterId, String controllerListenerName, PrintStream out)
      throws Exception {
    try {
      Class<?> formatterClass = Class.forName(FORMATTER);
      Class<?> metadataVersionClass = Class.forName(METADATA_VERSION);
      Object releaseVersion = metadataVersionClass.getField("LATEST_PRODUCTION").get(null);
      Object formatter = formatterClass.getConstructor().newInstance();
      formatterClass.getMethod("setPrintStream", PrintStream.class).invoke(formatter, out);
      formatterClass.getMethod("setNodeId", int.class).invoke(formatter, nodeId);
      formatterClass.getMethod("setClusterId", String.class).invoke(formatter, clusterId);
      formatterClass
          .getMethod("setControllerListenerName", String.class)
          .invoke(formatter, controllerListenerName);
      formatterClass.getMethod("setMetadataLogDirectory", String.class).invoke(formatter, dir.toString());
      formatterClass.getMethod("addDirectory", String.class).invoke(formatter, dir.toString());
      formatterClass.getMethod("setReleaseVersion", metadataVersionClass).invoke(formatter, releaseVersion);
      formatterClass.getMethod("run").invoke(formatter);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw e;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "Kafka's " + FORMATTER + " API not found: is kafka-metadata 4.1 on the class path?", e);
    }
  }
}
