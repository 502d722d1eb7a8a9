package io.checkstripe.archive;

/**
 * What an archive holds, for reports: how many entries of each type (the root directory not counted) and
 * the bytes of all file contents.
 *
 * @param directories directory entries
 * @param files       regular-file entries
 * @param links       symbolic-link entries
 * @param fileBytes   the sum of the files' sizes
 */
public record ArchiveSummary(long directories, long files, long links, long fileBytes) {

    public ArchiveSummary {
        if (directories < 0 || files < 0 || links < 0 || fileBytes < 0) {
            throw new IllegalArgumentException("negative count in summary: " + directories + " directories, " + files
                    + " files, " + links + " links, " + fileBytes + " bytes");
        }
    }

    /** Entries of every type (the root directory not counted), as the archive's end record states them. */
    public long entries() {
        return directories + files + links;
    }

    /** This summary with {@code entry} counted too. */
    ArchiveSummary plus(ArchiveEntry entry) {
        return switch (entry.type()) {
            case DIRECTORY -> new ArchiveSummary(directories + 1, files, links, fileBytes);
            case FILE -> new ArchiveSummary(directories, files + 1, links, fileBytes + entry.size());
            case SYMLINK -> new ArchiveSummary(directories, files, links + 1, fileBytes);
        };
    }
}
