package io.twlab.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/** The package rules of the server, read from its compiled classes: a new cycle or a leak fails the build. */
class ArchitectureTest {
  private static final JavaClasses SERVER = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS).importPackages("io.twlab");
  /** The domain: it knows nothing of gRPC, HTTP or Docker. */
  private static final String[] DOMAIN = {"io.twlab.core..", "io.twlab.lab..", "io.twlab.sysctl..",
      "io.twlab.observe..", "io.twlab.event..", "io.twlab.scenario..", "io.twlab.grading..", "io.twlab.store..", "io.twlab.identity.."};

  static ArchRule noPackageCycles() {
    return slices().matching("io.twlab.(**)").should().beFreeOfCycles();
  }

  @Test
  void noPackageDependsOnItselfThroughAnother() {
    noPackageCycles().check(SERVER);
  }

  @Test
  void aPlantedCycleFailsTheRule() {
    JavaClasses planted = new ClassFileImporter().importPackages("io.twlab.architecture.planted");

    EvaluationResult result = noPackageCycles().evaluate(planted);

    assertTrue(result.hasViolation(), "the cycle planted.a -> planted.b -> planted.a went unnoticed");
  }

  @Test
  void theVocabularyFloorImportsNothingOfOurs() {
    noClasses().that().resideInAPackage("io.twlab.core..")
        .should().dependOnClassesThat().resideOutsideOfPackages("io.twlab.core..", "java..")
        .check(SERVER);
  }

  @Test
  void theDomainKnowsNothingOfGrpcHttpOrDocker() {
    noClasses().that().resideInAnyPackage(DOMAIN)
        .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "io.twlab.proto..", "io.javalin..",
            "com.github.dockerjava..", "io.twlab.api..", "io.twlab.runtime.docker..", "io.twlab.app..")
        .check(SERVER);
  }

  @Test
  void onlyTheDockerAdapterSpeaksToDocker() {
    noClasses().that().resideOutsideOfPackage("io.twlab.runtime.docker..")
        .should().dependOnClassesThat().resideInAPackage("com.github.dockerjava..")
        .check(SERVER);
  }

  @Test
  void onlyTheApiSpeaksProto() {
    noClasses().that().resideOutsideOfPackages("io.twlab.api..", "io.twlab.server..", "io.twlab.proto..")
        .should().dependOnClassesThat().resideInAPackage("io.twlab.proto..")
        .check(SERVER);
  }
}
