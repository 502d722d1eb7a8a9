package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The codec in a JVM started without {@code jdk.incubator.vector}: it must load, pick the
 * scalar kernel and write the same parity; forcing the vector kernel there must fail with a
 * message naming the JVM option. Runs {@link KernelProbe} in child JVMs.
 */
@Timeout(120)
class KernelFallbackTest {

    @Test
    void withoutTheVectorModuleTheScalarKernelWritesTheSameBytes() throws Exception {
        String expected = KernelProbe.parityHex(ReedSolomon.create(6, 3, GfKernelTest.vectorKernel()));
        assertThat(probe()).isEqualTo("scalar " + expected);
        assertThat(probe("-D" + GfKernels.PROPERTY + "=auto")).isEqualTo("scalar " + expected);
        assertThat(probe("--add-modules", "jdk.incubator.vector", "-D" + GfKernels.PROPERTY + "=scalar"))
                .isEqualTo("scalar " + expected);
        assertThat(probe("--add-modules", "jdk.incubator.vector"))
                .isEqualTo(GfKernelTest.vectorKernel().name() + " " + expected);
    }

    @Test
    void forcingTheVectorKernelWithoutTheModuleFails() throws Exception {
        assertThat(probe("-D" + GfKernels.PROPERTY + "=vector")).isEqualTo("error system property "
                + GfKernels.PROPERTY + ": the vector kernel needs the JVM option --add-modules jdk.incubator.vector"
                + " and vectors of at least 128 bits: module jdk.incubator.vector is not in the boot layer");
        assertThat(probe("-D" + GfKernels.PROPERTY + "=fast"))
                .isEqualTo("error system property " + GfKernels.PROPERTY
                        + ": unknown Reed-Solomon kernel 'fast': expected scalar or vector");
    }

    /** Runs the probe in a child JVM with the given options and returns its one line of output. */
    private static String probe(String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelProbe.class.getName()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
            return out;
        } finally {
            process.destroyForcibly();
        }
    }
}
