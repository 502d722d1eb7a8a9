package io.checkstripe.faults;

import java.util.SplittableRandom;

/**
 * The seed of a scenario's random choices (kill moments, lost servers, damaged cells). {@link SeedExtension}
 * prints it before the test and again when the test fails; setting {@value SeedExtension#PROPERTY} replays it.
 *
 * @param value the seed
 */
record Seed(long value) {

    /** A fresh generator on this seed: every use replays the same choices. */
    SplittableRandom random() {
        return new SplittableRandom(value);
    }

    @Override
    public String toString() {
        return "seed " + value + " (replay: -D" + SeedExtension.PROPERTY + "=" + value + ")";
    }
}
