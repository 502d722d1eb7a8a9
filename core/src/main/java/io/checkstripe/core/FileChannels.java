package io.checkstripe.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * How durable writes open the files they write. A seam: tests substitute channels that count forces,
 * stall like a slow disk or fail like a full one.
 */
@FunctionalInterface
public interface FileChannels {

    /** The file system's own channels. */
    FileChannels DEFAULT = FileChannel::open;

    /** Opens {@code path} as {@link FileChannel#open(Path, OpenOption...)} does. */
    FileChannel open(Path path, OpenOption... options) throws IOException;
}
