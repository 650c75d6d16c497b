package dev.strongroom.proof.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The proof tool's name and version (the Maven project version), bound into every bundle. */
public final class ToolVersion {
  public static final String TOOL = "strongroom-proof";
  public static final String VERSION = load();

  private ToolVersion() {}

  private static String load() {
    try (InputStream in = ToolVersion.class.getResourceAsStream("/strongroom-proof.properties")) {
      if (in == null) {
        throw new IllegalStateException("strongroom-proof.properties missing from the classpath");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
