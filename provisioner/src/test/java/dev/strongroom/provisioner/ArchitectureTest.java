package dev.strongroom.provisioner;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The provisioner is a plain library (no Quarkus, Vert.x, SmallRye); the PKI stands alone. */
class ArchitectureTest {
  private final JavaClasses classes =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.strongroom.provisioner");

  @Test
  void noFrameworkDependencies() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.quarkus..", "io.vertx..", "io.smallrye..", "jakarta..")
        .check(classes);
  }

  @Test
  void pki_doesNotKnowTheDatabaseOrKeyring() {
    noClasses()
        .that()
        .resideInAPackage("dev.strongroom.provisioner.pki..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.strongroom.provisioner.db..", "dev.strongroom.provisioner.atrest..")
        .check(classes);
  }
}
