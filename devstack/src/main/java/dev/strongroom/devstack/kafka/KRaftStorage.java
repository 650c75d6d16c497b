package dev.strongroom.devstack.kafka;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Formats a KRaft log directory, as {@code kafka-storage.sh format} does, with Kafka's own {@link
 * Formatter} at release version {@link MetadataVersion#LATEST_PRODUCTION}. No initial controllers
 * are given, so the directory is formatted for a static quorum ({@code controller.quorum.voters},
 * {@code kraft.version=0}): the controller's address is not recorded in the directory, and a
 * restart on new ports works.
 */
final class KRaftStorage {

  /** The file whose presence marks a formatted log directory. */
  static final String META_PROPERTIES = "meta.properties";

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
  static void format(
      Path dir, int nodeId, String clusterId, String controllerListenerName, PrintStream out)
      throws Exception {
    new Formatter()
        .setPrintStream(out)
        .setNodeId(nodeId)
        .setClusterId(clusterId)
        .setControllerListenerName(controllerListenerName)
        .setMetadataLogDirectory(dir.toString())
        .addDirectory(dir.toString())
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
        .run();
  }
}
