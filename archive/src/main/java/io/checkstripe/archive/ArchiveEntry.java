package io.checkstripe.archive;

/**
 * One entry of a directory archive: a directory, regular file or symbolic link below the archived root.
 *
 * @param type             what the entry recreates
 * @param path             the path below the root, '/'-separated, no empty, {@code .} or {@code ..} names
 * @param mode             permission bits ({@code rwxrwxrwx}, 0 to 0777); set-id and sticky bits are not kept
 * @param modifiedMillis   modification time, milliseconds since the epoch (finer precision is dropped, so a
 *                         restored directory archives to the same bytes again)
 * @param size             content bytes of a file; 0 for the other types
 * @param target           a link's target as stored in the link, relative; null for the other types
 */
public record ArchiveEntry(EntryType type, String path, int mode, long modifiedMillis, long size, String target) {

    public ArchiveEntry {
        if (type == null || path == null) {
            throw new IllegalArgumentException("entry needs a type and a path, got " + type + " " + path);
        }
        String problem = ArchivePaths.pathProblem(path);
        if (problem != null) {
            throw new IllegalArgumentException("entry '" + path + "': " + problem);
        }
        if ((mode & ~ArchivePaths.MODE_BITS) != 0) {
            throw new IllegalArgumentException("entry '" + path + "': mode 0" + Integer.toOctalString(mode)
                    + " has bits other than rwxrwxrwx (0777)");
        }
        if (size < 0 || (size > 0 && type != EntryType.FILE)) {
            throw new IllegalArgumentException("entry '" + path + "': size " + size + " for a " + type);
        }
        if ((type == EntryType.SYMLINK) != (target != null)) {
            throw new IllegalArgumentException("entry '" + path + "': a " + type
                    + (target == null ? " needs a link target" : " has no link target"));
        }
        String targetProblem = target == null ? null : ArchivePaths.targetProblem(target);
        if (targetProblem != null) {
            throw new IllegalArgumentException("entry '" + path + "': " + targetProblem);
        }
    }
}
