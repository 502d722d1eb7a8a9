package io.checkstripe.archive;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A directory checkpoint (a RocksDB checkpoint: a directory of immutable SST files, say) as one deterministic
 * byte stream in the format {@code docs/ARCHITECTURE.md} describes: the same tree, with the same names,
 * contents, permission bits and mtimes, always gives the same bytes, whatever order it was created in.
 *
 * <p>The stream comes as {@linkplain #parts() parts}: the metadata between two files' contents is one part
 * and each non-empty file's content another, so a content-defined chunker can start a chunk at every file
 * and an unchanged file always chunks the same. {@link #open()} is the parts concatenated.
 *
 * <p>{@link #scan} lists the tree once and never follows a link: a link is archived as a link, and only when
 * its target is relative and cannot leave the directory ({@link UnarchivableFileException} otherwise, as for
 * a device, FIFO or socket). Contents are read later, as the parts are read, one file open at a time, so
 * memory grows with the number of entries and not with their bytes. A file that changes size or mtime
 * between the scan and its last byte stops the stream with an {@link UnarchivableFileException}: archive a
 * directory nobody writes to, such as a finished checkpoint. The directory itself must not be a link.
 *
 * <p>Immutable and thread-safe; every call to {@link #parts()} or {@link #open()} reads the files afresh.
 */
public final class DirectoryArchive {

    /** Modes for file systems without POSIX permissions. */
    private static final int DEFAULT_DIRECTORY_MODE = 0755;
    private static final int DEFAULT_FILE_MODE = 0644;
    private static final int DEFAULT_LINK_MODE = 0777;

    private final Path root;
    private final int rootMode;
    private final long rootModifiedMillis;
    private final List<ArchiveEntry> entries;
    private final ArchiveSummary summary;

    private DirectoryArchive(Path root, int rootMode, long rootModifiedMillis, List<ArchiveEntry> entries) {
        this.root = root;
        this.rootMode = rootMode;
        this.rootModifiedMillis = rootModifiedMillis;
        this.entries = List.copyOf(entries);
        ArchiveSummary s = new ArchiveSummary(0, 0, 0, 0);
        for (ArchiveEntry e : entries) {
            s = s.plus(e);
        }
        this.summary = s;
    }

    /**
     * Lists {@code dir}'s tree, depth-first with children in the order of their names' UTF-8 bytes.
     *
     * @throws IllegalArgumentException   when {@code dir} is not a directory (or is a link to one)
     * @throws UnarchivableFileException  for a link that could leave {@code dir}, a special file or a name
     *                                    the format cannot hold
     */
    public static DirectoryArchive scan(Path dir) throws IOException {
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
        BasicFileAttributes rootAttributes = attributes(dir, posix);
        if (!rootAttributes.isDirectory()) {
            throw new IllegalArgumentException(dir + " is not a directory"
                    + (rootAttributes.isSymbolicLink() ? " but a symbolic link, which is never followed" : ""));
        }
        List<ArchiveEntry> entries = new ArrayList<>();
        Set<String> links = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>();
        pushChildren(dir, "", pending);
        while (!pending.isEmpty()) {
            String path = pending.pop();
            Path file = ArchivePaths.resolve(dir, path);
            ArchiveEntry entry = entryOf(file, path, posix);
            entries.add(entry);
            if (entry.type() == EntryType.DIRECTORY) {
                pushChildren(file, path, pending);
            } else if (entry.type() == EntryType.SYMLINK) {
                links.add(path);
            }
        }
        for (ArchiveEntry e : entries) {
            String problem = e.type() == EntryType.SYMLINK ? ArchivePaths.linkProblem(e.path(), e.target(),
                    links::contains) : null;
            if (problem != null) {
                throw new UnarchivableFileException(ArchivePaths.resolve(dir, e.path()),
                        UnarchivableFileException.Reason.LINK_ESCAPES, problem);
            }
        }
        return new DirectoryArchive(dir, modeOf(rootAttributes, posix, DEFAULT_DIRECTORY_MODE),
                rootAttributes.lastModifiedTime().toMillis(), entries);
    }

    /** {@code scan(dir).open()}: the archive of {@code dir} as one stream. */
    public static InputStream open(Path dir) throws IOException {
        return scan(dir).open();
    }

    /** The archived directory. */
    public Path root() {
        return root;
    }

    /** The entries below the root, in archive order. */
    public List<ArchiveEntry> entries() {
        return entries;
    }

    /** How many entries of each type, and the file bytes. */
    public ArchiveSummary summary() {
        return summary;
    }

    /**
     * The archive as consecutive parts, built as the iterator advances: metadata parts in memory, content
     * parts opening their file on first read. The caller closes each part it takes; a content part also
     * closes itself after its last byte.
     */
    public Iterator<InputStream> parts() {
        return new Parts();
    }

    /** The archive as one stream: the {@linkplain #parts() parts} concatenated. */
    public InputStream open() {
        Iterator<InputStream> parts = parts();
        return new SequenceInputStream(new Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return parts.hasNext();
            }

            @Override
            public InputStream nextElement() {
                return parts.next();
            }
        });
    }

    private final class Parts implements Iterator<InputStream> {
        private int next;
        private boolean started;
        private boolean ended;
        private ArchiveEntry content;

        @Override
        public boolean hasNext() {
            return !ended;
        }

        @Override
        public InputStream next() {
            if (ended) {
                throw new NoSuchElementException("the archive's end record was the last part");
            }
            if (content != null) {
                ArchiveEntry file = content;
                content = null;
                return new FileContent(ArchivePaths.resolve(root, file.path()), file);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            try {
                if (!started) {
                    ArchiveFormat.writeHeader(out, rootMode, rootModifiedMillis);
                    started = true;
                }
                while (next < entries.size()) {
                    ArchiveEntry e = entries.get(next++);
                    ArchiveFormat.writeEntry(out, e);
                    if (e.size() > 0) {
                        content = e;
                        return new ByteArrayInputStream(bytes.toByteArray());
                    }
                }
                ArchiveFormat.writeEnd(out, summary);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot happen: writing to memory failed", e);
            }
            ended = true;
            return new ByteArrayInputStream(bytes.toByteArray());
        }
    }

    private static void pushChildren(Path dir, String path, Deque<String> pending) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                String childPath = path.isEmpty() ? name : path + "/" + name;
                String problem = name.indexOf('\uFFFD') >= 0 ? "the name is not valid in the platform's encoding"
                        : ArchivePaths.pathProblem(childPath);
                if (problem != null) {
                    throw new UnarchivableFileException(child, UnarchivableFileException.Reason.UNSUPPORTED_NAME,
                            problem);
                }
                names.add(childPath);
            }
        }
        names.sort(ArchivePaths::compare);
        for (int i = names.size() - 1; i >= 0; i--) {
            pending.push(names.get(i));
        }
    }

    private static ArchiveEntry entryOf(Path file, String path, boolean posix) throws IOException {
        BasicFileAttributes a;
        try {
            a = attributes(file, posix);
        } catch (NoSuchFileException e) {
            throw new UnarchivableFileException(file, UnarchivableFileException.Reason.CHANGED_WHILE_READING,
                    "it disappeared while the directory was listed");
        }
        long mtime = a.lastModifiedTime().toMillis();
        if (a.isDirectory()) {
            return new ArchiveEntry(EntryType.DIRECTORY, path, modeOf(a, posix, DEFAULT_DIRECTORY_MODE), mtime, 0, null);
        }
        if (a.isRegularFile()) {
            return new ArchiveEntry(EntryType.FILE, path, modeOf(a, posix, DEFAULT_FILE_MODE), mtime, a.size(), null);
        }
        if (a.isSymbolicLink()) {
            String target = Files.readSymbolicLink(file).toString();
            String problem = ArchivePaths.targetProblem(target);
            if (problem != null) {
                throw new UnarchivableFileException(file, target.startsWith("/")
                        ? UnarchivableFileException.Reason.LINK_ESCAPES
                        : UnarchivableFileException.Reason.UNSUPPORTED_NAME, problem + " ('" + target + "')");
            }
            return new ArchiveEntry(EntryType.SYMLINK, path, modeOf(a, posix, DEFAULT_LINK_MODE), mtime, 0, target);
        }
        throw new UnarchivableFileException(file, UnarchivableFileException.Reason.SPECIAL_FILE,
                "a device, FIFO or socket; only directories, regular files and links can be archived");
    }

    private static BasicFileAttributes attributes(Path file, boolean posix) throws IOException {
        Class<? extends BasicFileAttributes> kind = posix ? PosixFileAttributes.class : BasicFileAttributes.class;
        return Files.readAttributes(file, kind, LinkOption.NOFOLLOW_LINKS);
    }

    private static int modeOf(BasicFileAttributes a, boolean posix, int fallback) {
        return posix ? ArchivePaths.mode(((PosixFileAttributes) a).permissions()) : fallback;
    }
}
