package io.checkstripe.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph, checked on the classes themselves: what the poms declare is what the code uses,
 * the Kafka-free modules import no Kafka, publishing and restoring need no Kafka Streams, test libraries
 * stay in the test kit, {@code .internal} packages stay in their module, no package is split over two
 * modules, and the diagram in {@code docs/ARCHITECTURE.md} is the poms' graph. The Maven enforcer rules
 * in the poms check the same boundaries on the dependency trees, transitive ones included.
 */
class ModuleBoundariesTest {

    private static final Pattern MODULE_IN_LOCATION =
            Pattern.compile("/([a-z0-9-]+)/target/|/io/checkstripe/checkstripe-([a-z0-9-]+)/");

    private static ModuleGraph graph;
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        graph = ModuleGraph.read(ModuleGraph.rootFromBuild());
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.checkstripe");
    }

    @Test
    void everyShippedModuleOwnsARootPackage() {
        assertThat(ModuleGraph.ROOT_PACKAGES.keySet()).containsAll(graph.shipped());
        assertThat(classes.size()).as("main classes imported").isGreaterThan(200);
    }

    @Test
    void architectureDiagramIsThePomGraph() throws Exception {
        assertThat(graph.documentedEdges())
                .as("edges of the mermaid diagram in docs/ARCHITECTURE.md against the poms' main-scope dependencies")
                .containsExactlyInAnyOrderElementsOf(graph.pomEdges());
    }

    @Test
    void classesUseOnlyTheModulesTheirPomDeclares() {
        Set<String> violations = new TreeSet<>();
        for (JavaClass origin : classes) {
            Optional<String> from = ModuleGraph.moduleOf(origin.getPackageName());
            if (from.isEmpty()) {
                continue;
            }
            Set<String> declared = graph.modules().getOrDefault(from.get(), Set.of());
            for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                Optional<String> to = ModuleGraph.moduleOf(d.getTargetClass().getPackageName());
                if (to.isPresent() && !to.get().equals(from.get()) && !declared.contains(to.get())) {
                    violations.add(from.get() + " -> " + to.get() + ": " + d.getDescription());
                }
            }
        }
        assertThat(violations).as("uses of a module the user's pom does not declare in main scope").isEmpty();
    }

    @Test
    void codecCoreAndStoreKnowNothingOfKafka() {
        ArchRule rule = noClasses().that().resideInAnyPackage("io.checkstripe.core..", "io.checkstripe.codec..",
                        "io.checkstripe.crypto..", "io.checkstripe.archive..", "io.checkstripe.chunking..",
                        "io.checkstripe.store..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "org.rocksdb..")
                .because("the codec, the key files, the directory archive, the delta formats and the store format "
                        + "are usable without Kafka");
        rule.check(classes);
    }

    @Test
    void publishingAndRestoringNeedNoKafkaStreams() {
        noClasses().that().resideInAnyPackage("io.checkstripe.producer..", "io.checkstripe.striping..",
                        "io.checkstripe.restore..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka.streams..", "org.rocksdb..")
                .because("publishing applications embed the producer, and a restore runs at failover")
                .check(classes);
        noClasses().that().resideInAPackage("io.checkstripe.restore..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..")
                .because("a restore reads stores and sinks over HTTP, with Kafka down if need be")
                .check(classes);
    }

    @Test
    void testLibrariesStayInTheTestKit() {
        noClasses().that().resideOutsideOfPackage("io.checkstripe.testkit..")
                .should().dependOnClassesThat().resideInAnyPackage("org.junit..", "org.assertj..",
                        "org.awaitility..", "net.jqwik..", "org.apache.kafka.common.test..",
                        "org.apache.kafka.streams.TopologyTestDriver", "io.checkstripe.testkit..")
                .because("the shipped lib/ holds no test library")
                .check(classes);
    }

    @Test
    void internalPackagesAreUsedOnlyInTheirModule() {
        Set<String> violations = new TreeSet<>();
        for (JavaClass origin : classes) {
            for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getPackageName();
                int internal = target.indexOf(".internal");
                if (target.startsWith("io.checkstripe.") && internal > 0) {
                    String owner = target.substring(0, internal);
                    String from = origin.getPackageName();
                    if (!from.equals(owner) && !from.startsWith(owner + ".")) {
                        violations.add(d.getDescription());
                    }
                }
            }
        }
        assertThat(violations).as("uses of another module's .internal package").isEmpty();
    }

    @Test
    void noPackageIsSplitOverTwoModules() {
        Map<String, Set<String>> modulesByPackage = new TreeMap<>();
        for (JavaClass c : classes) {
            moduleOfLocation(c.getSource().map(s -> s.getUri()).orElse(null)).ifPresent(module ->
                    modulesByPackage.computeIfAbsent(c.getPackageName(), p -> new TreeSet<>()).add(module));
        }
        assertThat(modulesByPackage).as("packages seen").isNotEmpty();
        modulesByPackage.values().removeIf(modules -> modules.size() == 1);
        assertThat(modulesByPackage).as("packages found in more than one module").isEmpty();
    }

    private static Optional<String> moduleOfLocation(URI location) {
        if (location == null) {
            return Optional.empty();
        }
        Matcher m = MODULE_IN_LOCATION.matcher(location.toString());
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(m.group(1) != null ? m.group(1) : m.group(2));
    }
}
