package io.checkstripe.producer;

import io.checkstripe.core.CheckstripeException;

import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Not every backup server acknowledged a checkpoint within the protection timeout. The
 * checkpoint may well be committed and on its way; what is not established is that it
 * survives the loss of servers as its policy promises. Carries which servers have and have
 * not acknowledged, so an operator knows which sinks to look at.
 *
 * <p>When the number of servers is unknown (no manifest of the checkpoint was seen: the
 * striper did not process it in time), {@link #servers()} and {@link #missing()} are empty
 * and the message says so.
 */
public final class NotProtectedException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    private final String appId;
    private final long checkpointId;
    private final OptionalInt servers;
    private final SortedSet<Integer> acked;
    private final Duration waited;
    private final transient Optional<PublishResult> committed;

    /**
     * @param appId          the application
     * @param checkpointId   the checkpoint waited for
     * @param servers        N, when known
     * @param acked          the server indexes that acknowledged it
     * @param waited         how long it was waited for
     * @param manifestsTopic the topic its manifest was expected on, for the message
     */
    public NotProtectedException(String appId, long checkpointId, OptionalInt servers, SortedSet<Integer> acked,
                                 Duration waited, String manifestsTopic) {
        this(message(appId, checkpointId, servers, acked, waited, manifestsTopic), appId, checkpointId, servers, acked,
                waited, Optional.empty());
    }

    private NotProtectedException(String message, String appId, long checkpointId, OptionalInt servers,
                                  SortedSet<Integer> acked, Duration waited, Optional<PublishResult> committed) {
        super(message);
        this.appId = appId;
        this.checkpointId = checkpointId;
        this.servers = servers;
        this.acked = Collections.unmodifiableSortedSet(new TreeSet<>(acked));
        this.waited = waited;
        this.committed = committed;
    }

    private static String message(String appId, long checkpointId, OptionalInt servers, SortedSet<Integer> acked,
                                  Duration waited, String manifestsTopic) {
        String which = "checkpoint " + checkpointId + " of application " + appId + " is not protected after "
                + waited.toMillis() + " ms: ";
        if (servers.isEmpty()) {
            return which + "no manifest of it arrived on topic " + manifestsTopic + " (is the striper running?), so "
                    + "the number of backup servers is unknown; acknowledged so far by servers " + acked;
        }
        return which + "servers " + missing(servers.getAsInt(), acked) + " of " + servers.getAsInt()
                + " have not acknowledged it (acknowledged by " + acked + ")";
    }

    private static SortedSet<Integer> missing(int servers, SortedSet<Integer> acked) {
        return IntStream.range(0, servers).filter(i -> !acked.contains(i)).boxed()
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The same facts, stating that the checkpoint was committed as {@code result} describes. */
    NotProtectedException committed(PublishResult result) {
        NotProtectedException e = new NotProtectedException("committed, but " + getMessage(), appId, checkpointId,
                servers, acked, waited, Optional.of(result));
        e.initCause(this);
        return e;
    }

    /** True: the servers may still acknowledge, or the brokers come back; waiting or trying again can help. */
    @Override
    public boolean retriable() {
        return true;
    }

    public String appId() {
        return appId;
    }

    public long checkpointId() {
        return checkpointId;
    }

    /** N, when a manifest said it or the caller gave it. */
    public OptionalInt servers() {
        return servers;
    }

    /** Server indexes that acknowledged the checkpoint. */
    public SortedSet<Integer> acked() {
        return acked;
    }

    /** Server indexes 0..N-1 that did not; empty when N is unknown. */
    public SortedSet<Integer> missing() {
        return servers.isPresent() ? Collections.unmodifiableSortedSet(missing(servers.getAsInt(), acked))
                : Collections.emptySortedSet();
    }

    /** How long the wait lasted. */
    public Duration waited() {
        return waited;
    }

    /** The committed checkpoint, when the exception comes from a publish that waited for protection. */
    public Optional<PublishResult> committedResult() {
        return committed;
    }
}
