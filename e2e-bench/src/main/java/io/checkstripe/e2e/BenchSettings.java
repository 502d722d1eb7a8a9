package io.checkstripe.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.checkstripe.codec.RedundancyPolicy;

/**
 * Everything one end-to-end benchmark needs to know, already checked, so a front end (the {@code checkstripe
 * bench} command) only parses its options into it: where Kafka is, what to measure, settings over the defaults
 * of the striper, the sinks and the publishers (what a {@code --command-config} file would give each of them)
 * for trying a tuning, and where the results go.
 *
 * @param bootstrapServers the Kafka cluster to measure against; empty: start a single broker in a child JVM
 * @param clientConfig     Kafka client settings for every client (security, timeouts), as a user's file gave them
 * @param sizes            checkpoint sizes in bytes
 * @param runs             runs of every measurement
 * @param warmUpBytes      one unrecorded checkpoint of this size through every path at the start of every run
 *                         (0: none)
 * @param policies         policies and their numbers of servers
 * @param modes            where the stripes are formed
 * @param latencyCount     1 MiB checkpoints in the time-to-protected series (0: none)
 * @param latencyInterval  time between two checkpoints of that series
 * @param childJvmOptions  JVM options of the publish and restore child JVMs whose peak RSS is measured
 * @param cliMainClass     the main class of the {@code checkstripe} command line those children run
 * @param timeout          longest any one measurement may take
 * @param skip             parts left out
 * @param striperConfig    settings over the striper's defaults
 * @param sinkConfig       settings over the sinks' defaults
 * @param publisherConfig  settings over the publishers' defaults (not the raw baseline's)
 * @param json             where the rows are written as JSON
 * @param chart            where throughput against size is drawn as a PNG; empty: no chart
 * @param profileDir       where Java Flight Recorder recordings of this JVM and the started broker go; empty: none
 * @param workDir          where inputs, the broker and the stores live; empty: a new temporary directory
 * @param keep             whether the work directory is kept afterwards
 */
public record BenchSettings(Optional<String> bootstrapServers, Map<String, String> clientConfig, List<Long> sizes,
                            int runs, long warmUpBytes, List<PolicySpec> policies, List<Mode> modes, int latencyCount,
                            Duration latencyInterval, List<String> childJvmOptions, String cliMainClass,
                            Duration timeout, Set<Part> skip, Map<String, String> striperConfig,
                            Map<String, String> sinkConfig, Map<String, String> publisherConfig, Path json,
                            Optional<Path> chart, Optional<Path> profileDir, Optional<Path> workDir, boolean keep) {

    /** How the stripes are formed: by the Kafka Streams job, or by the publishing producer. */
    public enum Mode {
        STREAMS("streams"), LOCAL("local");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        /** As the command line and the report name it. */
        public String label() {
            return label;
        }
    }

    /** A policy and the number of backup servers it is spread over. */
    public record PolicySpec(RedundancyPolicy policy, int servers) {
        public PolicySpec {
            if (servers < policy.totalCells()) {
                throw new IllegalArgumentException(policy.name() + " needs at least " + policy.totalCells()
                        + " servers, got " + servers);
            }
        }

        /** {@code RS-3-2:5}, or just {@code RS-3-2} for as many servers as cells per stripe. */
        public static PolicySpec parse(String text) {
            String[] parts = text.strip().split(":", 2);
            RedundancyPolicy policy = RedundancyPolicy.parse(parts[0]);
            int servers;
            try {
                servers = parts.length == 2 ? Integer.parseInt(parts[1].strip()) : policy.totalCells();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number of servers in " + text);
            }
            return new PolicySpec(policy, servers);
        }

        /** {@code RS-3-2/5}, as the report names it. */
        public String label() {
            return policy.name() + "/" + servers;
        }

        /** Topic-name friendly. */
        String tag() {
            return policy.name().toLowerCase(Locale.ROOT) + "-" + servers;
        }
    }

    /** Parts of a run that can be left out. */
    public enum Part {
        RESTORE, LATENCY, RSS
    }

    public BenchSettings {
        clientConfig = Map.copyOf(clientConfig);
        sizes = List.copyOf(sizes);
        policies = List.copyOf(policies);
        modes = List.copyOf(modes);
        childJvmOptions = List.copyOf(childJvmOptions);
        skip = skip.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(skip));
        striperConfig = Map.copyOf(striperConfig);
        sinkConfig = Map.copyOf(sinkConfig);
        publisherConfig = Map.copyOf(publisherConfig);
        if (sizes.isEmpty() || sizes.stream().anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("sizes must be positive and at least one, got " + sizes);
        }
        if (warmUpBytes < 0) {
            throw new IllegalArgumentException("the warm-up size must not be negative, got " + warmUpBytes);
        }
        if (runs < 1 || latencyCount < 0 || policies.isEmpty() || modes.isEmpty()) {
            throw new IllegalArgumentException("runs must be at least 1, the latency count not negative, and at "
                    + "least one policy and one mode given; got " + runs + ", " + latencyCount + ", " + policies
                    + ", " + modes);
        }
    }

    long largest() {
        return sizes.stream().mapToLong(Long::longValue).max().orElseThrow();
    }
}
