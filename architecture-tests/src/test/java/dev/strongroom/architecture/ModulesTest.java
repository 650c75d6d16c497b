package dev.strongroom.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Pins the module graph: for every module of the reactor, the dependencies it may declare outside
 * test scope. The graph is what shows the planes (DESIGN §2); a library that declares more than it
 * needs drags jars into every application that embeds it.
 *
 * <p><b>Adding a module</b> (other planes will): (1) list it in the parent pom's {@code <modules>};
 * (2) add one line to {@link #PINS} below — its {@code dev.strongroom} dependencies are listed
 * exactly, third-party ones as {@code groupId:artifactId} patterns ({@code *} matches anything; a
 * library names what it may use, an application may use {@code "*:*"}); (3) add it as a test
 * dependency of {@code architecture-tests/pom.xml} (with the {@code *} exclusion, as the others),
 * so {@link LayeringTest} reads its classes; (4) if it holds a new library or service package root,
 * add that root to {@link Rules#LIBRARY_ROOTS} or {@link Rules#SERVICE_ROOTS}. This test fails,
 * naming the step, until all are done. <b>Adding a dependency</b> to an existing module: widen its
 * line here, in the same commit, so the change is visible in review.
 */
class ModulesTest {
  /** Module → allowed non-test dependencies ({@code groupId:artifactId}, {@code *} wildcards). */
  static final Map<String, Set<String>> PINS = new LinkedHashMap<>();

  static {
    pin(
        "contracts",
        "com.fasterxml.jackson.core:jackson-databind",
        "io.cloudevents:cloudevents-core",
        "io.cloudevents:cloudevents-json-jackson",
        "io.github.erdtman:java-json-canonicalization",
        "com.networknt:json-schema-validator",
        "com.github.f4b6a3:uuid-creator",
        "org.bouncycastle:bcprov-jdk18on",
        "org.slf4j:slf4j-api");
    pin("contracts-kafka", "dev.strongroom:contracts", "org.apache.kafka:kafka-clients");
    pin(
        "client",
        "dev.strongroom:contracts",
        "org.apache.kafka:kafka-clients",
        "com.fasterxml.jackson.core:jackson-databind");
    pin("audit");
    pin(
        "service-kit",
        "dev.strongroom:contracts-kafka",
        "io.quarkus:*",
        "org.osgi:osgi.annotation");
    pin("crypto", "org.bouncycastle:bcprov-jdk18on");
    pin("crypto-gcpkms", "dev.strongroom:crypto", "com.google.cloud:google-cloud-kms");
    pin(
        "cloud-gcp",
        "dev.strongroom:audit",
        "com.google.cloud:google-cloud-storage",
        "com.google.cloud:google-cloud-kms",
        "com.fasterxml.jackson.core:jackson-databind",
        "info.picocli:picocli");
    pin(
        "provisioner",
        "dev.strongroom:contracts",
        "dev.strongroom:audit",
        "org.bouncycastle:bcpkix-jdk18on",
        "org.apache.sshd:sshd-core");
    pin(
        "proof",
        "dev.strongroom:contracts",
        "dev.strongroom:audit",
        "dev.strongroom:provisioner",
        "com.github.f4b6a3:uuid-creator",
        "com.fasterxml.jackson.core:jackson-databind",
        "org.bouncycastle:bcprov-jdk18on",
        "org.apache.commons:commons-compress");
    pin(
        "bench",
        "dev.strongroom:crypto",
        "dev.strongroom:contracts",
        "io.vertx:vertx-mysql-client",
        "io.vertx:vertx-codegen",
        "org.hdrhistogram:HdrHistogram",
        "org.knowm.xchart:xchart",
        "com.fasterxml.jackson.core:jackson-databind");
    pin(
        "backup",
        "dev.strongroom:audit",
        "dev.strongroom:contracts",
        "dev.strongroom:crypto",
        "dev.strongroom:provisioner");
    pin(
        "devstack",
        "dev.strongroom:contracts-kafka",
        "dev.strongroom:crypto",
        "dev.strongroom:provisioner",
        "dev.strongroom:proof",
        "dev.strongroom:bench",
        "dev.strongroom:backup",
        "dev.strongroom:client",
        "*:*");
    pin(
        "crypto-service",
        "dev.strongroom:service-kit",
        "dev.strongroom:crypto",
        "dev.strongroom:crypto-gcpkms",
        "*:*");
    pin("data-service", "dev.strongroom:service-kit", "*:*");
    pin(
        "audit-anchor-service",
        "dev.strongroom:service-kit",
        "dev.strongroom:audit",
        "dev.strongroom:backup", // the scheduled backup (issue 16)
        "dev.strongroom:cloud-gcp", // worm.kind=gcs: GcsObjectStore (issue 12)
        "*:*");
    pin("provisioner-service", "dev.strongroom:service-kit", "dev.strongroom:provisioner", "*:*");
    pin("proof-service", "dev.strongroom:service-kit", "dev.strongroom:proof", "*:*");
    pin(
        "system-tests",
        "dev.strongroom:crypto-service",
        "dev.strongroom:data-service",
        "dev.strongroom:audit-anchor-service",
        "dev.strongroom:provisioner-service",
        "dev.strongroom:proof-service");
    pin("architecture-tests");
  }

  private static void pin(String module, String... allowed) {
    PINS.put(module, Set.of(allowed));
  }

  static final Path ROOT = Path.of(System.getProperty("strongroom.root", "..")).normalize();

  @Test
  void everyModuleOfTheReactorIsPinned() throws Exception {
    List<String> modules = modules();
    Set<String> unpinned = new TreeSet<>(modules);
    unpinned.removeAll(PINS.keySet());
    assertTrue(
        unpinned.isEmpty(),
        "not pinned in ModulesTest.PINS (see its javadoc for how to add a module): " + unpinned);
    Set<String> gone = new TreeSet<>(PINS.keySet());
    gone.removeAll(modules);
    assertTrue(gone.isEmpty(), "pinned but not in the reactor: " + gone);
  }

  @Test
  void everyModuleIsReadByTheLayeringTest() throws Exception {
    Set<String> missing = new TreeSet<>();
    for (String module : modules()) {
      if (hasMainSources(module)) {
        missing.add(module);
      }
    }
    for (String[] d : dependencies("architecture-tests")) {
      if (d[0].equals("dev.strongroom")) {
        missing.remove(d[1]);
      }
    }
    assertTrue(
        missing.isEmpty(),
        "add as test dependencies of architecture-tests/pom.xml (with the * exclusion): "
            + missing);
  }

  @Test
  void everyModuleDeclaresOnlyItsPinnedDependencies() throws Exception {
    List<String> violations = new ArrayList<>();
    for (String module : modules()) {
      Set<String> allowed = PINS.getOrDefault(module, Set.of());
      for (String[] d : dependencies(module)) {
        if (d[2].equals("test")) {
          continue;
        }
        String coordinate = d[0] + ":" + d[1];
        if (!allowed(coordinate, allowed)) {
          violations.add(module + " -> " + coordinate + " (" + d[2] + ")");
        }
      }
    }
    assertEquals(List.of(), violations, "dependencies not pinned in ModulesTest.PINS");
  }

  @Test
  void thePinsThemselvesBite() {
    assertTrue(allowed("org.bouncycastle:bcprov-jdk18on", PINS.get("crypto")));
    assertTrue(!allowed("dev.strongroom:contracts", PINS.get("crypto")), "crypto -> contracts");
    assertTrue(!allowed("org.apache.kafka:kafka-clients", PINS.get("contracts")));
    assertTrue(!allowed("dev.strongroom:crypto", PINS.get("data-service")), "*:* is third party");
    assertTrue(allowed("io.quarkus:quarkus-arc", PINS.get("service-kit")));
  }

  static boolean allowed(String coordinate, Set<String> patterns) {
    for (String p : patterns) {
      if (coordinate.startsWith("dev.strongroom:") && !p.startsWith("dev.strongroom:")) {
        continue; // our own modules are listed one by one, never by a wildcard
      }
      String regex = p.replace(".", "\\.").replace("*", "[^:]*");
      if (coordinate.matches(regex)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code module} has main Java sources (a module may hold tests only, for now). */
  static boolean hasMainSources(String module) {
    try (var files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
      return files.anyMatch(f -> f.toString().endsWith(".java"));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  static List<String> modules() throws Exception {
    List<String> modules = new ArrayList<>();
    Element project = parse(ROOT.resolve("pom.xml"));
    for (Element m : children(child(project, "modules"), "module")) {
      modules.add(m.getTextContent().trim());
    }
    return modules;
  }

  /** groupId, artifactId, scope of each top-level dependency (profiles not included). */
  static List<String[]> dependencies(String module) throws Exception {
    List<String[]> out = new ArrayList<>();
    Element dependencies = child(parse(ROOT.resolve(module).resolve("pom.xml")), "dependencies");
    if (dependencies == null) {
      return out;
    }
    for (Element d : children(dependencies, "dependency")) {
      Element scope = child(d, "scope");
      out.add(
          new String[] {
            child(d, "groupId").getTextContent().trim(),
            child(d, "artifactId").getTextContent().trim(),
            scope == null ? "compile" : scope.getTextContent().trim()
          });
    }
    return out;
  }

  private static Element parse(Path pom) throws Exception {
    assertTrue(Files.isRegularFile(pom), "no " + pom);
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document doc = f.newDocumentBuilder().parse(pom.toFile());
    return doc.getDocumentElement();
  }

  private static Element child(Element parent, String name) {
    for (Element e : children(parent, name)) {
      return e;
    }
    return null;
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    if (parent == null) {
      return out;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }
}
