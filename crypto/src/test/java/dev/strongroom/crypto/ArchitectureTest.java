package dev.strongroom.crypto;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The library stays embeddable: no Quarkus, Vert.x, SmallRye or Kafka; only internal uses internal.
 */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.strongroom.crypto");

  @Test
  void library_dependsOnNoFramework() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.quarkus..", "io.vertx..", "io.smallrye..", "org.apache.kafka..")
        .check(CLASSES);
  }

  @Test
  void internalPackage_dependsOnNoApiPackage() {
    noClasses()
        .that()
        .resideInAPackage("dev.strongroom.crypto.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.strongroom.crypto.aead..",
            "dev.strongroom.crypto.kms..",
            "dev.strongroom.crypto.cache..")
        .check(CLASSES);
  }
}
