package dev.strongroom.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The layering rules of the reactor, as ArchUnit rules over the main classes of every module.
 *
 * <p>{@link LayeringTest} checks them against the real code; {@link RulesBiteTest} checks that each
 * one catches a planted violation, so a rule that silently matches nothing cannot pass.
 *
 * <p>Words used below:
 *
 * <ul>
 *   <li><b>framework</b>: Quarkus, Jakarta, SmallRye, MicroProfile, Vert.x — what only the thin
 *       adapters of a service may touch.
 *   <li><b>service root</b>: the package root of one Quarkus service ({@link #SERVICE_ROOTS}).
 *   <li><b>adapter package</b>: inside a service root, a package named in {@link
 *       #ADAPTER_PACKAGES}; everything else in a service is its <em>core</em> and stays
 *       framework-free.
 *   <li><b>library</b>: a package root in {@link #LIBRARY_ROOTS}: embeddable, framework-free.
 * </ul>
 */
public final class Rules {
  /** Framework packages (ArchUnit package patterns). */
  static final String[] FRAMEWORK = {
    "io.quarkus..", "jakarta..", "io.smallrye..", "org.eclipse.microprofile..", "io.vertx.."
  };

  /**
   * The framework a service core may use after all: Vert.x's reactive MySQL client and its futures
   * (DESIGN §2: the data plane's hot path) are a library, not the container.
   */
  static final String[] CORE_MAY_USE = {"io.vertx.mysqlclient..", "io.vertx.sqlclient.."};

  /** Package roots of the five services (each in its own root, never a library's). */
  static final String[] SERVICE_ROOTS = {
    "dev.strongroom.cryptoservice..",
    "dev.strongroom.dataservice..",
    "dev.strongroom.auditanchor..",
    "dev.strongroom.provisionerservice..",
    "dev.strongroom.proofservice.."
  };

  /**
   * Inside a service, the packages that hold Quarkus adapters (messaging, REST, config, health,
   * metrics, scheduling, CDI wiring, and {@code db}: the data-service's Vert.x MySQL client
   * adapter, whose futures and TLS options are Vert.x core types; the store logic it serves stays
   * in the core). Put framework code in one of these.
   */
  static final String[] ADAPTER_PACKAGES = {
    "..messaging..",
    "..rest..",
    "..config..",
    "..health..",
    "..metrics..",
    "..scheduling..",
    "..wiring..",
    "..db.."
  };

  /**
   * Package roots of the embeddable libraries. {@code dev.strongroom.audit..} and {@code
   * dev.strongroom.proof..} are the audit and proof libraries (DESIGN §2); they are listed before
   * they exist so they are held to the rule from their first class.
   */
  static final String[] LIBRARY_ROOTS = {
    "dev.strongroom.contracts..",
    "dev.strongroom.crypto..",
    "dev.strongroom.cloud..",
    "dev.strongroom.provisioner..",
    "dev.strongroom.backup..",
    "dev.strongroom.audit..",
    "dev.strongroom.proof..",
    "dev.strongroom.client.."
  };

  private Rules() {}

  /**
   * No class imports another module's {@code ..internal..} package: what is internal to a module is
   * internal to its artefact, whatever the package name says.
   */
  public static ArchRule noModuleUsesAnotherModulesInternals(Function<JavaClass, String> moduleOf) {
    return classes()
        .should(
            new ArchCondition<JavaClass>("not depend on another module's ..internal.. classes") {
              @Override
              public void check(JavaClass origin, ConditionEvents events) {
                String from = moduleOf.apply(origin);
                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                  JavaClass target = d.getTargetClass();
                  if (!target
                      .getPackageName()
                      .matches("dev\\.strongroom\\..*\\.internal(\\..*)?")) {
                    continue;
                  }
                  String to = moduleOf.apply(target);
                  if (!from.equals(to)) {
                    events.add(
                        SimpleConditionEvent.violated(
                            d, d.getDescription() + " [" + from + " -> internal of " + to + "]"));
                  }
                }
              }
            })
        .allowEmptyShould(false);
  }

  /** The core of a service (all but its adapter packages) does not touch the framework. */
  public static ArchRule serviceCoresAreFrameworkFree() {
    return noClasses()
        .that()
        .resideInAnyPackage(SERVICE_ROOTS)
        .and()
        .resideOutsideOfPackages(ADAPTER_PACKAGES)
        .should()
        .dependOnClassesThat(
            DescribedPredicate.describe(
                "are framework classes",
                (JavaClass c) ->
                    c.getPackage() != null
                        && inAny(c.getPackageName(), FRAMEWORK)
                        && !inAny(c.getPackageName(), CORE_MAY_USE)))
        .allowEmptyShould(true);
  }

  /** Libraries do not touch the framework. */
  public static ArchRule librariesAreFrameworkFree() {
    return noClasses()
        .that()
        .resideInAnyPackage(LIBRARY_ROOTS)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(FRAMEWORK)
        .allowEmptyShould(true);
  }

  /** Nothing outside a service depends on a service; no service depends on another one. */
  public static List<ArchRule> nothingDependsOnAService() {
    List<ArchRule> rules = new ArrayList<>();
    for (String root : SERVICE_ROOTS) {
      rules.add(
          noClasses()
              .that()
              .resideOutsideOfPackage(root)
              .should()
              .dependOnClassesThat()
              .resideInAPackage(root)
              .allowEmptyShould(true));
    }
    return rules;
  }

  /**
   * The crypto library needs the JDK and Bouncy Castle only: no contracts, no Kafka, no JSON, not
   * the Cloud KMS extension that builds on it.
   */
  public static ArchRule cryptoNeedsOnlyJdkAndBouncyCastle() {
    return classes()
        .that()
        .resideInAPackage("dev.strongroom.crypto..")
        .and()
        .resideOutsideOfPackage("dev.strongroom.crypto.gcpkms..")
        .should()
        .onlyDependOnClassesThat(
            DescribedPredicate.describe(
                "are in the JDK, Bouncy Castle or crypto itself",
                (JavaClass c) ->
                    c.isPrimitive()
                        || c.isArray()
                        || inAny(c.getPackageName(), "java..", "javax..", "org.bouncycastle..")
                        || (inAny(c.getPackageName(), "dev.strongroom.crypto..")
                            && !inAny(c.getPackageName(), "dev.strongroom.crypto.gcpkms.."))))
        .allowEmptyShould(true);
  }

  /**
   * The contracts core needs no Kafka client: only its Kafka adapter ({@code
   * dev.strongroom.contracts.kafka}, module contracts-kafka) does, and the core never uses it.
   */
  public static ArchRule contractsCoreHasNoKafka() {
    return noClasses()
        .that()
        .resideInAPackage("dev.strongroom.contracts..")
        .and()
        .resideOutsideOfPackage("dev.strongroom.contracts.kafka..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.kafka..", "dev.strongroom.contracts.kafka..")
        .allowEmptyShould(true);
  }

  /** Every rule, for {@link LayeringTest}. */
  public static List<ArchRule> all(Function<JavaClass, String> moduleOf) {
    List<ArchRule> rules = new ArrayList<>();
    rules.add(noModuleUsesAnotherModulesInternals(moduleOf));
    rules.add(serviceCoresAreFrameworkFree());
    rules.add(librariesAreFrameworkFree());
    rules.addAll(nothingDependsOnAService());
    rules.add(cryptoNeedsOnlyJdkAndBouncyCastle());
    rules.add(contractsCoreHasNoKafka());
    return rules;
  }

  /** Checks every rule, collecting all failures into one message. */
  public static void checkAll(List<ArchRule> rules, JavaClasses classes) {
    StringBuilder failures = new StringBuilder();
    for (ArchRule rule : rules) {
      var result = rule.evaluate(classes);
      if (result.hasViolation()) {
        failures.append(result.getFailureReport()).append('\n');
      }
    }
    if (failures.length() > 0) {
      throw new AssertionError(failures.toString());
    }
  }

  static boolean inAny(String packageName, String... patterns) {
    for (String p : patterns) {
      if (com.tngtech.archunit.core.domain.PackageMatcher.of(p).matches(packageName)) {
        return true;
      }
    }
    return false;
  }
}
