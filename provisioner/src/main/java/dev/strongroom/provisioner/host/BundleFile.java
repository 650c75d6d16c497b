package dev.strongroom.provisioner.host;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One artefact of the host bundle: its path inside the bundle directory, where it goes on the host,
 * the owner, group and octal mode it must have there, and its UTF-8 text.
 */
public record BundleFile(
    String bundlePath, Path hostPath, String owner, String group, String mode, String content) {
  public BundleFile {
    Objects.requireNonNull(bundlePath);
    Objects.requireNonNull(hostPath);
    Objects.requireNonNull(owner);
    Objects.requireNonNull(group);
    Objects.requireNonNull(content);
    if (!mode.matches("0[0-7]{3}")) {
      throw new IllegalArgumentException("mode must be four octal digits: " + mode);
    }
  }

  public byte[] bytes() {
    return content.getBytes(StandardCharsets.UTF_8);
  }
}
