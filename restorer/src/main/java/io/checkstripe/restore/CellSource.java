package io.checkstripe.restore;

import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellReadResult;
import io.checkstripe.store.StoredManifest;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.NavigableSet;
import java.util.Optional;

/**
 * One backup server as the restorer reads it: a sink's data directory read in place, or a running sink's
 * read-only HTTP API. Both give the same store format ({@code CellRecordFormat} records, {@code ManifestFormat}
 * manifests), so the restorer treats them alike.
 *
 * <p>Every method may fail with an {@link IOException}: a server that cannot be reached, does not answer in
 * time, or holds no store. The restorer then counts that server as lost, which is not fatal while enough
 * others survive. Implementations are thread-safe; the caller closes them.
 */
public interface CellSource extends Closeable {

    /** Where the source is, as the user named it: a directory or an {@code http://host:port} URL. */
    String location();

    /** The backup server this source is, read from its store or its {@code /v1/server} endpoint. */
    int serverIndex() throws IOException;

    /** The checkpoint ids of {@code app} this server holds, ascending. */
    List<Long> checkpoints(String app) throws IOException;

    /**
     * The checkpoint's manifest, or empty when this server has none.
     *
     * @throws io.checkstripe.store.CorruptRecordException when the manifest it holds cannot be read
     */
    Optional<StoredManifest> manifest(String app, long checkpointId) throws IOException;

    /**
     * The keys of the cells this server holds for the checkpoint {@code manifest} describes, without checking
     * their data. Cheap for a directory; over HTTP a server that reports itself complete costs nothing, while
     * an incomplete one is asked for its cells and only their headers are kept.
     */
    NavigableSet<CellKey> cellKeys(StoredManifest manifest) throws IOException;

    /**
     * The cells this server holds of segments {@code fromSegment} (inclusive) to {@code toSegment} (exclusive),
     * in segment order. The records are as stored: the caller checks their data CRCs and that each one is the
     * cell it should be. A cell whose data the caller does not {@linkplain CellStream#read() read} costs a
     * directory nothing; a sink still sends its bytes, which the stream skips.
     */
    CellStream cells(String app, long checkpointId, int fromSegment, int toSegment) throws IOException;

    /**
     * One cell, or empty when this server does not hold it: how a restore fetches a parity cell it skipped in
     * the stream, once a data cell of the stripe turns out lost or bad. The record is as stored, checked by the
     * caller as for {@link #cells}.
     */
    Optional<CellReadResult> cell(String app, long checkpointId, int segment, int cell) throws IOException;

    /**
     * A source for {@code location}: an {@code http://} or {@code https://} URL is a sink's HTTP API, read with
     * the options' timeouts and credentials, anything else a data directory. Nothing is contacted or opened yet, so a source that is down is found lost on
     * first use, not here.
     *
     * @throws IllegalArgumentException when the location is empty or a malformed URL
     */
    static CellSource open(String location, RestoreOptions options) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("source location is empty: give a sink's data directory or its "
                    + "http://host:port");
        }
        String trimmed = location.strip();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            URI uri;
            try {
                uri = URI.create(trimmed);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("source " + trimmed + " is not a valid URL: " + e.getMessage(), e);
            }
            return new HttpSource(uri, options);
        }
        if (lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("source " + trimmed + " has an unsupported scheme: give a data "
                    + "directory or an http://host:port URL");
        }
        return new DirectorySource(Path.of(trimmed));
    }
}
