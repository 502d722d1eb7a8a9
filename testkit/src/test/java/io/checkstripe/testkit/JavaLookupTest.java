package io.checkstripe.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaLookupTest {

    @TempDir
    Path home;

    @Test
    void readsTheFeatureVersionFromTheReleaseFile() throws Exception {
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"25.0.1\"\n");
        assertThat(ApicurioRegistry.featureVersion(home)).hasValue(25);
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"1.8.0_402\"\n");
        assertThat(ApicurioRegistry.featureVersion(home)).hasValue(1);
        Files.delete(home.resolve("release"));
        assertThat(ApicurioRegistry.featureVersion(home)).isEmpty();
    }

    @Test
    void rejectsAConfiguredHomeThatIsNotJava21() throws Exception {
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        String previous = System.getProperty(ApicurioRegistry.JAVA21_HOME_PROPERTY);
        System.setProperty(ApicurioRegistry.JAVA21_HOME_PROPERTY, home.toString());
        try {
            assertThatThrownBy(ApicurioRegistry::javaHome)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(ApicurioRegistry.JAVA21_HOME_PROPERTY)
                    .hasMessageContaining(home.toString())
                    .hasMessageContaining("release version: 17");
        } finally {
            if (previous == null) {
                System.clearProperty(ApicurioRegistry.JAVA21_HOME_PROPERTY);
            } else {
                System.setProperty(ApicurioRegistry.JAVA21_HOME_PROPERTY, previous);
            }
        }
    }

    @Test
    void findsTheUnpackedRegistry() {
        assertThat(ApicurioRegistry.home().resolve("quarkus-run.jar")).isRegularFile();
    }
}
