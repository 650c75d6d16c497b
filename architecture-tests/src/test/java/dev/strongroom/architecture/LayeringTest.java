package dev.strongroom.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link Rules} hold for the main classes of every module of the reactor (test classes are not
 * held to them). The modules reach this test as dependencies of architecture-tests; {@link
 * ModulesTest} makes sure none is missing.
 */
class LayeringTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importReactor() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.strongroom");
  }

  @Test
  void everyModuleIsImported() {
    ModuleOf moduleOf = new ModuleOf();
    var seen = new java.util.TreeSet<String>();
    classes.forEach(c -> seen.add(moduleOf.apply(c)));
    for (String module : ModulesTest.PINS.keySet()) {
      if (!ModulesTest.hasMainSources(module)) {
        continue;
      }
      assertTrue(seen.contains(module), module + " not imported; seen " + seen);
    }
  }

  @Test
  void noModuleUsesAnotherModulesInternals() {
    Rules.noModuleUsesAnotherModulesInternals(new ModuleOf()).check(classes);
  }

  @Test
  void serviceCoresAreFrameworkFree() {
    Rules.serviceCoresAreFrameworkFree().check(classes);
  }

  @Test
  void librariesAreFrameworkFree() {
    Rules.librariesAreFrameworkFree().check(classes);
  }

  @Test
  void nothingDependsOnAService() {
    Rules.checkAll(Rules.nothingDependsOnAService(), classes);
  }

  @Test
  void cryptoNeedsOnlyJdkAndBouncyCastle() {
    Rules.cryptoNeedsOnlyJdkAndBouncyCastle().check(classes);
  }

  @Test
  void contractsCoreHasNoKafka() {
    Rules.contractsCoreHasNoKafka().check(classes);
  }
}
