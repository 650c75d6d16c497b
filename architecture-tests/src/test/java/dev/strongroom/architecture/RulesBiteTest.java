package dev.strongroom.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each rule of {@link Rules} catches a violation planted for it (the {@code …planted} classes of
 * this module's test sources), names the planted class, and leaves a legal neighbour alone. A rule
 * that matched nothing would pass {@link LayeringTest} for ever; this test makes that impossible.
 */
class RulesBiteTest {
  private static JavaClasses planted;

  @BeforeAll
  static void importPlantedAndRealClasses() {
    planted =
        new ClassFileImporter()
            .importPackages(
                "dev.strongroom.cryptoservice.planted",
                "dev.strongroom.cryptoservice.messaging.planted",
                "dev.strongroom.crypto.planted",
                "dev.strongroom.contracts.planted",
                "dev.strongroom.provisioner.planted",
                "dev.strongroom.dataservice.planted",
                "dev.strongroom.audit.planted",
                "dev.strongroom.devstack.planted",
                // Real classes that use their own module's internals: legal.
                "dev.strongroom.crypto.aead");
  }

  private static String violations(ArchRule rule) {
    EvaluationResult result = rule.evaluate(planted);
    assertTrue(result.hasViolation(), rule.getDescription() + " caught nothing");
    return String.join("\n", result.getFailureReport().getDetails());
  }

  @Test
  void serviceCore_usingJakarta_isCaught_butItsAdapterIsNot() {
    String v = violations(Rules.serviceCoresAreFrameworkFree());
    assertTrue(v.contains("cryptoservice.planted.CoreUsesJakarta"), v);
    assertTrue(v.contains("jakarta.inject.Provider"), v);
    assertFalse(v.contains("AdapterUsesJakarta"), v);
  }

  @Test
  void library_usingJakarta_isCaught() {
    String v = violations(Rules.librariesAreFrameworkFree());
    assertTrue(v.contains("audit.planted.LibraryUsesJakarta"), v);
  }

  @Test
  void library_orOtherService_dependingOnAService_isCaught() {
    StringBuilder all = new StringBuilder();
    int caught = 0;
    for (ArchRule rule : Rules.nothingDependsOnAService()) {
      EvaluationResult r = rule.evaluate(planted);
      if (r.hasViolation()) {
        caught++;
        all.append(String.join("\n", r.getFailureReport().getDetails()));
      }
    }
    assertEquals(1, caught, "only the rule for cryptoservice has planted dependants");
    assertTrue(all.toString().contains("provisioner.planted.LibraryUsesService"), all.toString());
    assertTrue(all.toString().contains("dataservice.planted.ServiceUsesService"), all.toString());
  }

  @Test
  void crypto_usingContracts_isCaught() {
    String v = violations(Rules.cryptoNeedsOnlyJdkAndBouncyCastle());
    assertTrue(v.contains("crypto.planted.CryptoUsesContracts"), v);
    assertTrue(v.contains("dev.strongroom.contracts.errors.ErrorCode"), v);
    assertFalse(v.contains("crypto.aead"), "real crypto classes pass: " + v);
  }

  @Test
  void contractsCore_usingKafka_isCaught() {
    String v = violations(Rules.contractsCoreHasNoKafka());
    assertTrue(v.contains("contracts.planted.CoreUsesKafka"), v);
    assertTrue(v.contains("org.apache.kafka.clients.producer.ProducerRecord"), v);
  }

  @Test
  void anotherModulesInternal_isCaught_butOwnInternalIsNot() {
    String v = violations(Rules.noModuleUsesAnotherModulesInternals(new ModuleOf()));
    assertTrue(v.contains("devstack.planted.UsesCryptoInternal"), v);
    assertTrue(v.contains("[architecture-tests -> internal of crypto]"), v);
    assertFalse(v.contains("crypto.aead"), "crypto's own use of crypto.internal is legal: " + v);
  }

  @Test
  void moduleOf_readsReactorDirectoriesAndRepositoryJars() {
    assertEquals(
        "crypto-gcpkms",
        ModuleOf.of(URI.create("file:/w/crypto-gcpkms/target/classes/dev/strongroom/X.class")));
    assertEquals(
        "contracts-kafka",
        ModuleOf.of(
            URI.create(
                "jar:file:/r/dev/strongroom/contracts-kafka/0.1.0-SNAPSHOT/"
                    + "contracts-kafka-0.1.0-SNAPSHOT.jar!/dev/strongroom/X.class")));
    // After `package`, the reactor hands later modules the module's own jar, named by finalName.
    assertEquals(
        "cloud-gcp",
        ModuleOf.of(
            URI.create(
                "jar:file:/check/work/main/cloud-gcp/target/cloud-gcp.jar!/dev/strongroom/X.class")));
  }

  @Test
  void everyRuleHasABiteTest() {
    assertEquals(
        java.util.Set.of(
            "noModuleUsesAnotherModulesInternals",
            "serviceCoresAreFrameworkFree",
            "librariesAreFrameworkFree",
            "nothingDependsOnAService",
            "cryptoNeedsOnlyJdkAndBouncyCastle",
            "contractsCoreHasNoKafka"),
        java.util.Arrays.stream(Rules.class.getDeclaredMethods())
            .filter(m -> m.getReturnType() == ArchRule.class || m.getReturnType() == List.class)
            .filter(m -> java.lang.reflect.Modifier.isPublic(m.getModifiers()))
            .filter(m -> !m.getName().equals("all"))
            .map(java.lang.reflect.Method::getName)
            .collect(java.util.stream.Collectors.toSet()),
        "a new rule in Rules needs a planted violation and a test here");
  }
}
