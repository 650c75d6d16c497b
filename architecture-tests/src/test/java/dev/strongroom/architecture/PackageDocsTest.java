package dev.strongroom.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every main package of every module says what it is for: a {@code package-info.java} whose Javadoc
 * comes before the package declaration (issue 9). A package without one tells a new maintainer
 * nothing about which plane, core or adapter it is.
 */
class PackageDocsTest {
  @Test
  void everyMainPackageHasAPackageInfoWithJavadoc() throws Exception {
    Set<String> undocumented = new TreeSet<>();
    for (String module : ModulesTest.modules()) {
      Path src = ModulesTest.ROOT.resolve(module).resolve("src/main/java");
      if (!Files.isDirectory(src)) {
        continue;
      }
      for (Path dir : packagesWithSources(src)) {
        if (!documented(dir.resolve("package-info.java"))) {
          undocumented.add(module + ": " + src.relativize(dir).toString().replace('/', '.'));
        }
      }
    }
    assertEquals(Set.of(), undocumented, "packages without a package-info.java with Javadoc");
  }

  @Test
  void theRuleBites_onAPackageInfoWithoutJavadoc() throws Exception {
    Path dir = Files.createTempDirectory("pkginfo");
    try {
      Path info = dir.resolve("package-info.java");
      Files.writeString(info, "package dev.strongroom.x;\n", StandardCharsets.UTF_8);
      assertEquals(false, documented(info));
      Files.writeString(
          info, "/** What x is for. */\npackage dev.strongroom.x;\n", StandardCharsets.UTF_8);
      assertEquals(true, documented(info));
      assertEquals(false, documented(dir.resolve("absent.java")));
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static List<Path> packagesWithSources(Path src) throws IOException {
    try (Stream<Path> files = Files.walk(src)) {
      return files
          .filter(f -> f.toString().endsWith(".java"))
          .map(Path::getParent)
          .distinct()
          .sorted()
          .toList();
    }
  }

  private static boolean documented(Path info) throws IOException {
    if (!Files.isRegularFile(info)) {
      return false;
    }
    String text = Files.readString(info, StandardCharsets.UTF_8);
    int doc = text.indexOf("/**");
    int decl = text.indexOf("\npackage ");
    if (decl < 0 && text.startsWith("package ")) {
      decl = 0;
    }
    return doc >= 0 && decl > doc && text.indexOf("*/", doc) < decl;
  }
}
