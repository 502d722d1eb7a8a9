package io.checkstripe.cli;

import java.nio.file.Path;

/**
 * The {@code -} that stands for standard input ({@code publish --file -}) or standard output
 * ({@code restore --out -}), as Unix tools spell it, so that a checkpoint can flow through a pipe.
 * A file really named {@code -} is still reachable as {@code ./-}.
 */
final class StandardStreams {

    private static final Path DASH = Path.of("-");

    private StandardStreams() {
    }

    /** Whether {@code file} is the {@code -} that names a standard stream. */
    static boolean named(Path file) {
        return file.equals(DASH);
    }
}
