package io.checkstripe.testkit;

import io.checkstripe.broker.ChildJvm;
import io.checkstripe.broker.LocalPorts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real schema registry for tests: Apicurio Registry 3.3.3 (in-memory storage) in a child JVM,
 * serving the Confluent Schema Registry API at {@link #confluentApiUrl()}. It lets the schemas
 * module test its REST client against a server that is not its own code.
 *
 * <p>The build unpacks the registry into {@code testkit/target/apicurio} and records that path
 * in {@code testkit.properties} (override with {@code -Dcheckstripe.apicurio.home}). The
 * registry needs Java 21 or newer, looked up in this order: system property
 * {@code checkstripe.java21.home}, environment variable {@code JAVA21_HOME}, the running JVM,
 * the newest JDK under {@code /usr/lib/jvm} whose {@code release} file says 21 or more. Without
 * one, {@link #start()} fails with a message saying so; it never skips.
 *
 * <p>Each instance runs in a new temporary directory holding {@code registry.log}; {@link #close()}
 * stops the process and deletes the directory (kept when start-up fails, for the log). Start-up
 * takes about 5 s and 250 MB of memory. Use it in try-with-resources, in
 * {@code @BeforeAll}/{@code @AfterAll}, or through {@link ApicurioRegistryExtension}.
 * Thread-safe once started.
 */
public final class ApicurioRegistry implements AutoCloseable {

    /** System property naming a Java 21+ home. */
    public static final String JAVA21_HOME_PROPERTY = "checkstripe.java21.home";
    /** Environment variable naming a Java 21+ home. */
    public static final String JAVA21_HOME_ENV = "JAVA21_HOME";
    /** System property overriding where the unpacked registry lives. */
    public static final String HOME_PROPERTY = "checkstripe.apicurio.home";

    private static final Logger log = LoggerFactory.getLogger(ApicurioRegistry.class);
    private static final int MIN_JAVA = 21;
    private static final Path JVM_DIR = Path.of("/usr/lib/jvm");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"?(\\d+)", Pattern.MULTILINE);

    private final Path workDir;
    private final ChildJvm jvm;
    private final String baseUrl;

    private ApicurioRegistry(Path workDir, ChildJvm jvm, int port) {
        this.workDir = workDir;
        this.jvm = jvm;
        this.baseUrl = "http://" + LocalPorts.HOST + ":" + port;
    }

    /** Starts a registry on a free port and waits until its Confluent API answers. */
    public static ApicurioRegistry start() {
        return start(Map.of());
    }

    /**
     * Starts a registry with extra Quarkus/Apicurio settings passed as {@code -Dkey=value}
     * (for example {@code apicurio.ccompat.legacy-id-mode.enabled=true}) and waits until its
     * Confluent API answers with 200.
     */
    public static ApicurioRegistry start(Map<String, String> settings) {
        Path javaBinary = javaHome().resolve("bin").resolve("java");
        Path runJar = home().resolve("quarkus-run.jar");
        List<Integer> ports = LocalPorts.free(2);
        Path workDir;
        try {
            workDir = Files.createTempDirectory("checkstripe-apicurio-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the registry", e);
        }
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=" + LocalPorts.HOST,
                "-Dquarkus.http.port=" + ports.get(0),
                "-Dquarkus.management.host=" + LocalPorts.HOST,
                "-Dquarkus.management.port=" + ports.get(1)));
        settings.forEach((key, value) -> jvmArgs.add("-D" + key + "=" + value));
        long startNanos = System.nanoTime();
        ChildJvm jvm = ChildJvm.launch("apicurio-registry", javaBinary, jvmArgs, List.of("-jar", runJar.toString()),
                workDir, workDir.resolve("registry.log"));
        ApicurioRegistry registry = new ApicurioRegistry(workDir, jvm, ports.get(0));
        try {
            registry.awaitReady();
        } catch (RuntimeException e) {
            jvm.kill();
            throw e;
        }
        log.info("Apicurio Registry (pid {}, {}) at {} ready in {} ms", jvm.pid(), javaBinary, registry.baseUrl,
                (System.nanoTime() - startNanos) / 1_000_000);
        return registry;
    }

    /** {@code http://127.0.0.1:port}, the registry's root. */
    public String baseUrl() {
        return baseUrl;
    }

    /** The Confluent Schema Registry API root: {@code http://127.0.0.1:port/apis/ccompat/v7}. */
    public String confluentApiUrl() {
        return baseUrl + "/apis/ccompat/v7";
    }

    /** The registry's output. */
    public Path logFile() {
        return workDir.resolve("registry.log");
    }

    /** Stops the registry (SIGTERM, then SIGKILL after 30 s) and deletes its directory. */
    @Override
    public void close() {
        jvm.stop(STOP_GRACE);
        try (Stream<Path> files = Files.walk(workDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            log.warn("cannot delete the registry directory {}: {}", workDir, e.toString());
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest subjects = HttpRequest.newBuilder(URI.create(confluentApiUrl() + "/subjects"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        jvm.awaitReady(READY_TIMEOUT, () -> {
            try {
                return http.send(subjects, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    /** The unpacked registry: the directory holding {@code quarkus-run.jar}. */
    static Path home() {
        String configured = System.getProperty(HOME_PROPERTY);
        Path home;
        if (configured != null) {
            home = Path.of(configured);
        } else {
            Properties properties = new Properties();
            try (InputStream in = ApicurioRegistry.class.getResourceAsStream("testkit.properties")) {
                if (in == null) {
                    throw new IllegalStateException("testkit.properties is missing from the testkit jar");
                }
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read testkit.properties", e);
            }
            home = Path.of(properties.getProperty("apicurio.home"));
        }
        if (!Files.isRegularFile(home.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException("Apicurio Registry not found: no quarkus-run.jar in " + home
                    + "; build the testkit module (mvn -pl testkit install), which unpacks it, or set -D"
                    + HOME_PROPERTY);
        }
        return home;
    }

    /** A Java 21+ home, found as the class comment says, or an exception saying none exists. */
    static Path javaHome() {
        String property = System.getProperty(JAVA21_HOME_PROPERTY);
        if (property != null) {
            return requireJava21(Path.of(property), "system property " + JAVA21_HOME_PROPERTY);
        }
        String env = System.getenv(JAVA21_HOME_ENV);
        if (env != null && !env.isBlank()) {
            return requireJava21(Path.of(env), "environment variable " + JAVA21_HOME_ENV);
        }
        if (Runtime.version().feature() >= MIN_JAVA) {
            return Path.of(System.getProperty("java.home"));
        }
        List<Path> candidates = new ArrayList<>();
        if (Files.isDirectory(JVM_DIR)) {
            try (Stream<Path> dirs = Files.list(JVM_DIR)) {
                dirs.filter(dir -> javaBinaryIn(dir) && featureVersion(dir).orElse(0) >= MIN_JAVA)
                        .forEach(candidates::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + JVM_DIR, e);
            }
        }
        return candidates.stream()
                .max(Comparator.comparing((Path dir) -> featureVersion(dir).orElse(0)).thenComparing(Path::toString))
                .orElseThrow(() -> new IllegalStateException("Apicurio Registry needs Java " + MIN_JAVA
                        + " or newer and none was found: this JVM is Java " + Runtime.version().feature()
                        + ", -D" + JAVA21_HOME_PROPERTY + " and " + JAVA21_HOME_ENV + " are unset, and no JDK under "
                        + JVM_DIR + " has a release file saying JAVA_VERSION >= " + MIN_JAVA));
    }

    private static Path requireJava21(Path home, String source) {
        Optional<Integer> version = featureVersion(home);
        if (!javaBinaryIn(home) || version.orElse(0) < MIN_JAVA) {
            throw new IllegalStateException(source + " points to " + home + ", which is not a Java " + MIN_JAVA
                    + "+ home (bin/java present: " + javaBinaryIn(home) + ", release version: "
                    + version.map(String::valueOf).orElse("unknown") + ")");
        }
        return home;
    }

    private static boolean javaBinaryIn(Path home) {
        return Files.isExecutable(home.resolve("bin").resolve("java"));
    }

    /** The feature version in {@code home/release} ({@code JAVA_VERSION="25.0.1"} gives 25). */
    static Optional<Integer> featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        try {
            Matcher matcher = JAVA_VERSION.matcher(Files.readString(release, StandardCharsets.UTF_8));
            return matcher.find() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
