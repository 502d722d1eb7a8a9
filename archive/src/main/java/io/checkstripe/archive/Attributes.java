package io.checkstripe.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;

/** Sets an extracted entry's mtime and mode without following a link. Stateless and thread-safe. */
final class Attributes {

    private Attributes() {
    }

    /**
     * Sets {@code path}'s mtime, then its permission bits unless {@code mode} is negative; the mtime first, as
     * the JDK opens the file to set it and the mode may forbid that.
     */
    static void set(Path path, long modifiedMillis, int mode) throws IOException {
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.fromMillis(modifiedMillis), null, null);
        if (mode >= 0) {
            setMode(path, mode);
        }
    }

    /** Sets {@code path}'s permission bits, on a file system with POSIX permissions. */
    static void setMode(Path path, int mode) throws IOException {
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(ArchivePaths.permissions(mode));
    }
}
