package io.checkstripe.sink.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** How the store opens the files it writes; tests substitute channels that fail like a full disk. */
@FunctionalInterface
interface FileChannels {

    FileChannels DEFAULT = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
}
