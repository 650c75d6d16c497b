package dev.strongroom.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import java.net.URI;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the reactor module a class file came from, by where it was read: {@code
 * <module>/target/classes/…} or {@code <module>/target/<name>.jar} inside the reactor (after {@code
 * package}, Maven hands the packaged jar to later modules), or {@code <module>-<version>.jar} from
 * the local repository. Module directories are named after their artefact ids.
 */
final class ModuleOf implements Function<JavaClass, String> {
  private static final Pattern CLASSES_DIR = Pattern.compile("/([^/]+)/target/(?:test-)?classes/");
  private static final Pattern REACTOR_JAR = Pattern.compile("/([^/]+)/target/[^/!]+\\.jar!");
  private static final Pattern JAR = Pattern.compile("/([^/!]+?)-\\d+\\.\\d+\\.\\d+[^/!]*\\.jar!");

  @Override
  public String apply(JavaClass c) {
    if (c.getSource().isEmpty()) {
      return "(third party: " + c.getPackageName() + ")";
    }
    return of(c.getSource().get().getUri());
  }

  static String of(URI uri) {
    String s = uri.toString();
    Matcher m = CLASSES_DIR.matcher(s);
    if (m.find()) {
      return m.group(1);
    }
    m = REACTOR_JAR.matcher(s);
    if (m.find()) {
      return m.group(1);
    }
    m = JAR.matcher(s);
    if (m.find()) {
      return m.group(1);
    }
    return "(unknown: " + s + ")";
  }
}
