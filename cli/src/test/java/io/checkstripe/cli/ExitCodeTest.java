package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.checkstripe.restore.CheckpointStatus;
import io.checkstripe.restore.Health;
import io.checkstripe.restore.IndexRanges;
import io.checkstripe.restore.StatusReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What {@code status} exits with, decided on report values: the newest checkpoint's health alone. */
class ExitCodeTest {

    static Stream<Arguments> newestAndOlder() {
        return Stream.of(
                Arguments.of(Health.COMPLETE, Health.UNRECOVERABLE, ExitCode.OK),
                Arguments.of(Health.DEGRADED, Health.COMPLETE, ExitCode.DEGRADED),
                Arguments.of(Health.UNRECOVERABLE, Health.COMPLETE, ExitCode.UNRECOVERABLE));
    }

    @ParameterizedTest(name = "newest {0}, older {1}: exit {2}")
    @MethodSource("newestAndOlder")
    void statusExitsWithTheNewestCheckpointsHealth(Health newest, Health older, int expected) {
        assertThat(ExitCode.ofStatus(report(newest, older))).isEqualTo(expected);
        assertThat(ExitCode.ofStatus(report(newest))).as("alone").isEqualTo(expected);
    }

    @Test
    void everyHealthHasItsOwnCode() {
        assertThat(Stream.of(Health.values()).map(h -> ExitCode.ofStatus(report(h))).distinct())
                .hasSize(Health.values().length);
    }

    @Test
    void statusWithNoCheckpointIsUnrecoverable() {
        assertThat(ExitCode.ofStatus(report())).isEqualTo(ExitCode.UNRECOVERABLE);
    }

    @Test
    void everyExitCodeIsDistinct() throws IllegalAccessException {
        List<Integer> codes = new ArrayList<>();
        for (Field f : ExitCode.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                codes.add(f.getInt(null));
            }
        }
        assertThat(codes).hasSize(9).doesNotHaveDuplicates().contains(ExitCode.DEGRADED);
    }

    /** A report of checkpoints with these healths, newest first. */
    private static StatusReport report(Health... newestFirst) {
        List<CheckpointStatus> checkpoints = new ArrayList<>();
        for (int i = 0; i < newestFirst.length; i++) {
            checkpoints.add(new CheckpointStatus(newestFirst.length - i, newestFirst[i], "RS-3-2", 1, List.of(),
                    IndexRanges.empty(), List.of(), newestFirst[i] == Health.UNRECOVERABLE ? "stripe 0 lost" : "",
                    ""));
        }
        return new StatusReport("app", true, checkpoints, List.of(), List.of());
    }
}
