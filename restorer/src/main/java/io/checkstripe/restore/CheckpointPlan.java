package io.checkstripe.restore;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.crypto.AuthenticationFailedException;
import io.checkstripe.crypto.KeyFile;
import io.checkstripe.crypto.PublicKeys;
import io.checkstripe.crypto.SignatureVerdict;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CorruptRecordException;
import io.checkstripe.store.StoredManifest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which servers a checkpoint is read from, and the manifest it is read against. The manifests of every
 * reachable server that holds the checkpoint must agree on what defines the bytes (policy, N, segment count
 * and size, total bytes, SHA-256); the version most servers hold wins, and a server that disagrees is left
 * out (its cells are suspect). A tie has no winner and the checkpoint cannot be rebuilt. Servers without a
 * manifest still give their cells, which are checked against the winning manifest one by one.
 * With the application's key file, only manifests its keys signed take part: a server holding one that is
 * not authentic is left out like one that disagrees, and a checkpoint without any authentic manifest is
 * refused. Immutable once built.
 */
final class CheckpointPlan {

    private static final Logger log = LoggerFactory.getLogger(CheckpointPlan.class);

    /** The fields of a manifest that define the checkpoint's bytes. */
    record Geometry(String policy, int servers, int segmentCount, int segmentSize, long totalBytes, String sha256) {
        static Geometry of(StoredManifest m) {
            return new Geometry(m.policy(), m.servers(), m.segmentCount(), m.segmentSize(), m.totalBytes(),
                    HexFormat.of().formatHex(m.sha256()));
        }

        String differences(Geometry o) {
            List<String> diffs = new ArrayList<>();
            if (!policy.equals(o.policy)) {
                diffs.add("policy " + policy + " vs " + o.policy);
            }
            if (servers != o.servers) {
                diffs.add("servers " + servers + " vs " + o.servers);
            }
            if (segmentCount != o.segmentCount) {
                diffs.add("segment count " + segmentCount + " vs " + o.segmentCount);
            }
            if (segmentSize != o.segmentSize) {
                diffs.add("segment size " + segmentSize + " vs " + o.segmentSize);
            }
            if (totalBytes != o.totalBytes) {
                diffs.add("total bytes " + totalBytes + " vs " + o.totalBytes);
            }
            if (!sha256.equals(o.sha256)) {
                diffs.add("sha256 " + sha256 + " vs " + o.sha256);
            }
            return String.join(", ", diffs);
        }
    }

    final String app;
    final long checkpointId;
    final StoredManifest manifest;
    final RedundancyPolicy policy;
    /** Servers whose cells are read, by index. */
    final NavigableMap<Integer, CellSource> active;
    /** Every other server of the checkpoint (0..N-1) and why it is not read. */
    final NavigableMap<Integer, LostServer> lost;
    /** For each server in {@link #lost}, whether it is absent, disagrees or is lost. */
    final NavigableMap<Integer, ServerStatus.State> lostStates;
    /** Servers that hold a manifest, and whether it agrees with the chosen one. */
    final NavigableMap<Integer, Boolean> manifestAgrees;
    final List<String> warnings;

    private CheckpointPlan(String app, long checkpointId, StoredManifest manifest,
            NavigableMap<Integer, CellSource> active, NavigableMap<Integer, LostServer> lost,
            NavigableMap<Integer, ServerStatus.State> lostStates, NavigableMap<Integer, Boolean> manifestAgrees,
            List<String> warnings) {
        this.app = app;
        this.checkpointId = checkpointId;
        this.manifest = manifest;
        this.policy = RedundancyPolicy.parse(manifest.policy());
        this.active = Collections.unmodifiableNavigableMap(active);
        this.lost = Collections.unmodifiableNavigableMap(lost);
        this.lostStates = Collections.unmodifiableNavigableMap(lostStates);
        this.manifestAgrees = Collections.unmodifiableNavigableMap(manifestAgrees);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Reads the manifests of checkpoint {@code checkpointId} from every live server of the survey in parallel
     * and plans the read. A server that fails to answer is marked failed in the survey.
     *
     * @throws UnrecoverableCheckpointException when no live server holds the checkpoint or a manifest for
     *                                          it, or the manifests disagree without a majority
     */
    static CheckpointPlan build(Survey survey, long checkpointId, ExecutorService pool) throws InterruptedException {
        return build(survey, checkpointId, pool, Optional.empty());
    }

    /**
     * As {@link #build(Survey, long, ExecutorService)}, taking only manifests signed by {@code keys}.
     *
     * @throws AuthenticationFailedException when servers hold manifests of the checkpoint but none is authentic
     */
    static CheckpointPlan build(Survey survey, long checkpointId, ExecutorService pool, Optional<KeyFile> keys)
            throws InterruptedException {
        String app = survey.app();
        Map<Integer, Future<Optional<StoredManifest>>> asked = new LinkedHashMap<>();
        NavigableMap<Integer, Survey.Server> holders = new TreeMap<>();
        survey.servers().forEach((index, server) -> {
            if (server.checkpoints().contains(checkpointId)) {
                holders.put(index, server);
                asked.put(index, pool.submit(() -> server.source().manifest(app, checkpointId)));
            }
        });
        List<String> warnings = new ArrayList<>(survey.warnings());
        NavigableMap<Integer, StoredManifest> manifests = new TreeMap<>();
        for (Map.Entry<Integer, Future<Optional<StoredManifest>>> e : asked.entrySet()) {
            int index = e.getKey();
            String location = holders.get(index).source().location();
            try {
                e.getValue().get().ifPresent(m -> manifests.put(index, m));
            } catch (ExecutionException x) {
                if (x.getCause() instanceof CorruptRecordException) {
                    warnings.add("server " + index + " (" + location + ") holds an unreadable manifest of checkpoint "
                            + checkpointId + ": " + x.getCause().getMessage());
                } else {
                    String reason = "failed to answer: " + Survey.reason(x.getCause());
                    log.warn("server {} ({}) {}", index, location, reason);
                    survey.markFailed(new LostServer(index, location, reason));
                    holders.remove(index);
                }
            }
        }
        if (holders.isEmpty()) {
            throw unrecoverable(app, checkpointId, "checkpoint " + checkpointId + " of " + app
                    + " is on no reachable server" + lostSuffix(survey));
        }
        if (manifests.isEmpty()) {
            throw unrecoverable(app, checkpointId, "checkpoint " + checkpointId + " of " + app + " has no manifest on"
                    + " any reachable server (servers " + IndexRanges.of(holders.keySet()) + " hold some of"
                    + " its cells; a checkpoint is complete only once its manifest arrives)");
        }
        NavigableMap<Integer, String> forged = new TreeMap<>();
        if (keys.isPresent()) {
            PublicKeys publicKeys = keys.get().publicKeys();
            manifests.entrySet().removeIf(e -> {
                SignatureVerdict verdict = CheckpointProtection.verify(publicKeys, e.getValue());
                if (!verdict.accepted()) {
                    forged.put(e.getKey(), verdict.reason());
                }
                return !verdict.accepted();
            });
            if (manifests.isEmpty()) {
                throw new AuthenticationFailedException("checkpoint " + app + "/" + checkpointId + " is not "
                        + "authentic: " + forged.firstEntry().getValue() + " (servers "
                        + IndexRanges.of(forged.keySet()) + ")");
            }
        }
        Map<Geometry, List<Integer>> groups = new LinkedHashMap<>();
        manifests.forEach((index, m) -> groups.computeIfAbsent(Geometry.of(m), g -> new ArrayList<>()).add(index));
        Geometry winner = null;
        int best = 0;
        boolean tie = false;
        for (Map.Entry<Geometry, List<Integer>> g : groups.entrySet()) {
            if (g.getValue().size() > best) {
                winner = g.getKey();
                best = g.getValue().size();
                tie = false;
            } else if (g.getValue().size() == best) {
                tie = true;
            }
        }
        if (tie) {
            StringBuilder sb = new StringBuilder("the manifests of checkpoint " + checkpointId + " of " + app
                    + " disagree and no version is held by most servers:");
            groups.forEach((g, idx) -> sb.append(" servers ").append(IndexRanges.of(idx)).append(" say ")
                    .append(g).append(';'));
            throw unrecoverable(app, checkpointId, sb.substring(0, sb.length() - 1));
        }
        Geometry chosen = winner;
        StoredManifest manifest = manifests.get(groups.get(chosen).get(0));
        RedundancyPolicy policy = RedundancyPolicy.parse(manifest.policy());
        if (manifest.segmentSize() > policy.maxSegmentLength()) {
            throw unrecoverable(app, checkpointId, "the manifest of checkpoint " + checkpointId + " of " + app
                    + " has segments of " + manifest.segmentSize() + " bytes, more than one stripe of "
                    + policy.name() + " holds (" + policy.maxSegmentLength() + ")");
        }
        int n = manifest.servers();
        NavigableMap<Integer, CellSource> active = new TreeMap<>();
        NavigableMap<Integer, LostServer> lost = new TreeMap<>();
        NavigableMap<Integer, ServerStatus.State> states = new TreeMap<>();
        NavigableMap<Integer, Boolean> agrees = new TreeMap<>();
        holders.forEach((index, server) -> {
            StoredManifest m = manifests.get(index);
            if (m != null) {
                agrees.put(index, Geometry.of(m).equals(chosen));
            }
            if (forged.containsKey(index)) {
                agrees.put(index, false);
            }
            if (index >= n) {
                warnings.add("server " + index + " (" + server.source().location() + ") holds checkpoint "
                        + checkpointId + " although its manifest spreads it over " + n + " servers; ignored");
            } else if (forged.containsKey(index)) {
                String reason = "its manifest is not authentic (" + forged.get(index) + "); its cells are not used";
                log.warn("server {} ({}): checkpoint {}: {}", index, server.source().location(), checkpointId, reason);
                lost.put(index, new LostServer(index, server.source().location(), reason));
                states.put(index, ServerStatus.State.DISAGREES);
            } else if (m != null && !Geometry.of(m).equals(chosen)) {
                String reason = "its manifest disagrees with the other servers' (" + chosen.differences(Geometry.of(m))
                        + "); its cells are not used";
                log.warn("server {} ({}): checkpoint {}: {}", index, server.source().location(), checkpointId, reason);
                lost.put(index, new LostServer(index, server.source().location(), reason));
                states.put(index, ServerStatus.State.DISAGREES);
            } else {
                active.put(index, server.source());
            }
        });
        NavigableMap<Integer, Survey.Server> live = survey.servers();
        NavigableMap<Integer, LostServer> failed = survey.failed();
        for (int i = 0; i < n; i++) {
            if (active.containsKey(i) || lost.containsKey(i)) {
                continue;
            }
            states.put(i, ServerStatus.State.LOST);
            if (failed.containsKey(i)) {
                lost.put(i, failed.get(i));
            } else if (live.containsKey(i)) {
                lost.put(i, new LostServer(i, live.get(i).source().location(), "holds no cell of checkpoint "
                        + checkpointId));
                states.put(i, ServerStatus.State.ABSENT);
            } else {
                lost.put(i, new LostServer(i, "", survey.unreachable().isEmpty() ? "not among the sources given"
                        : "not among the reachable sources"));
            }
        }
        return new CheckpointPlan(app, checkpointId, manifest, active, lost, states, agrees, warnings);
    }

    private static String lostSuffix(Survey survey) {
        List<UnreachableSource> unreachable = survey.unreachable();
        return unreachable.isEmpty() ? "" : " (unreachable: " + unreachable + ")";
    }

    private static UnrecoverableCheckpointException unrecoverable(String app, long checkpointId, String reason) {
        return new UnrecoverableCheckpointException(app, "",
                List.of(UnrecoverableCheckpointException.Failure.of(checkpointId, reason)));
    }

    int servers() {
        return manifest.servers();
    }

    int segmentCount() {
        return manifest.segmentCount();
    }

    /** Length of segment {@code s}: every segment but the last is full. */
    int segmentLength(int s) {
        long start = (long) s * manifest.segmentSize();
        return (int) Math.min(manifest.segmentSize(), manifest.totalBytes() - start);
    }

    long segmentOffset(int s) {
        return (long) s * manifest.segmentSize();
    }

    /** The server that holds cell {@code cell} of stripe {@code s}. */
    int serverOf(int s, int cell) {
        return CellLayout.serverOf(s, cell, manifest.servers());
    }

    /**
     * Why a record that server {@code server} sent for the range {@code [from, to)} is not the cell it should
     * be, or null when it is.
     */
    String foreignReason(CellHeader h, int server, int from, int to) {
        if (!h.appId().equals(app) || h.checkpointId() != checkpointId) {
            return "a record of " + h.appId() + "/" + h.checkpointId() + " (stale or misfiled)";
        }
        int s = h.segmentIndex();
        if (s < from || s >= to || s >= segmentCount()) {
            return "segment " + s + " is outside the requested range " + from + ".." + (Math.min(to, segmentCount()) - 1);
        }
        if (h.cellIndex() >= policy.totalCells() || serverOf(s, h.cellIndex()) != server) {
            return "the cell belongs on server " + (h.cellIndex() < policy.totalCells() ? serverOf(s, h.cellIndex())
                    : "none") + ", not on server " + server + " (swapped or misplaced)";
        }
        if (!h.policy().equals(manifest.policy()) || h.servers() != manifest.servers()
                || h.segmentLength() != segmentLength(s) || h.segmentOffset() != segmentOffset(s)) {
            return "its header (" + h.policy() + " over " + h.servers() + " servers, segment of " + h.segmentLength()
                    + " bytes at " + h.segmentOffset() + ") disagrees with the manifest (" + manifest.policy() + " over "
                    + manifest.servers() + " servers, segment of " + segmentLength(s) + " bytes at "
                    + segmentOffset(s) + ")";
        }
        return null;
    }

    /** Stripes that lose more cells than the policy tolerates to the lost servers alone, without reading. */
    IndexRanges stripesBeyondRepair() {
        IndexRanges.Builder bad = new IndexRanges.Builder();
        if (lost.size() > policy.parityCells()) {
            for (int s = 0; s < segmentCount(); s++) {
                int missing = 0;
                for (int j = 0; j < policy.totalCells(); j++) {
                    missing += active.containsKey(serverOf(s, j)) ? 0 : 1;
                }
                if (missing > policy.parityCells()) {
                    bad.add(s);
                }
            }
        }
        return bad.build();
    }

    /** Whether every data cell of stripe {@code s} is on a server being read. */
    boolean dataOnActiveServers(int s) {
        for (int j = 0; j < policy.dataCells(); j++) {
            if (!active.containsKey(serverOf(s, j))) {
                return false;
            }
        }
        return true;
    }

    /** The servers of each cell of stripe {@code s}. */
    int[] servers(int s) {
        int[] servers = new int[policy.totalCells()];
        for (int j = 0; j < servers.length; j++) {
            servers[j] = serverOf(s, j);
        }
        return servers;
    }

    /** What is known of stripe {@code s} before reading: cells of lost servers are lost, the others good. */
    StripeFetch.CellState[] statesWithoutReading(int s) {
        StripeFetch.CellState[] states = new StripeFetch.CellState[policy.totalCells()];
        for (int j = 0; j < states.length; j++) {
            states[j] = active.containsKey(serverOf(s, j)) ? StripeFetch.CellState.GOOD : StripeFetch.CellState.LOST;
        }
        return states;
    }

    @Override
    public String toString() {
        return app + "/" + checkpointId + " " + manifest.policy() + " over " + servers() + " servers, reading "
                + active.keySet() + ", lost " + lost.keySet();
    }
}
