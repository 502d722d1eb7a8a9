package io.checkstripe.restore;

import io.checkstripe.core.AppId;
import io.checkstripe.core.CheckpointContent;
import io.checkstripe.store.CellKey;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports, for every checkpoint of an application, which servers hold it and whether it is complete,
 * degraded (restorable) or unrecoverable: {@code checkstripe status}. With data checks it is a scrub: it
 * reads every cell and checks its CRC32C, so rot is found before a failover needs the cell; without, it only
 * lists the cells each server holds, which is quick for directories and for sinks that report themselves
 * complete (an incomplete sink streams its cells so their headers can be listed).
 *
 * <p>Thread-safe: each call uses its own threads, which it stops before returning.
 */
public final class StatusScanner {

    private static final Logger log = LoggerFactory.getLogger(StatusScanner.class);

    private final RestoreOptions options;

    public StatusScanner(RestoreOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Reports on every checkpoint of {@code app} the sources hold, newest first.
     *
     * @param checkData read every cell and check its CRC (a scrub), rather than only list the cells
     * @throws IllegalArgumentException for a bad application id or no sources
     */
    public StatusReport scan(String app, List<CellSource> sources, boolean checkData) throws IOException {
        AppId.validate(app);
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no sources given: name each backup server's data directory or "
                    + "http://host:port");
        }
        ExecutorService pool = Pools.newPool("status");
        try {
            Survey survey = Survey.of(app, sources, options, pool);
            List<CheckpointStatus> checkpoints = new ArrayList<>();
            List<String> warnings = new ArrayList<>(survey.warnings());
            for (long cp : survey.checkpointIds()) {
                CheckpointPlan plan;
                try {
                    plan = CheckpointPlan.build(survey, cp, pool);
                    plan.warnings.stream().filter(w -> !warnings.contains(w)).forEach(warnings::add);
                    checkpoints.add(checkData ? scrub(plan, survey, pool) : list(plan, survey));
                } catch (UnrecoverableCheckpointException e) {
                    checkpoints.add(CheckpointStatus.unrecoverable(cp, e.failures().get(0).reason()));
                }
            }
            return new StatusReport(app, checkData, withBases(checkpoints), survey.unreachable(), warnings);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("status of " + app + " interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Counts per server, filled stripe by stripe. */
    private static final class Counts {
        final int[] present;
        final int[] expected;
        final int[] corrupt;
        final int[] foreign;

        Counts(int servers) {
            present = new int[servers];
            expected = new int[servers];
            corrupt = new int[servers];
            foreign = new int[servers];
        }

        void stripe(StripeFetch.CellState[] states, int[] servers) {
            for (int j = 0; j < states.length; j++) {
                expected[servers[j]]++;
                if (states[j] == StripeFetch.CellState.GOOD || states[j] == StripeFetch.CellState.CORRUPT) {
                    present[servers[j]]++;
                }
                if (states[j] == StripeFetch.CellState.CORRUPT) {
                    corrupt[servers[j]]++;
                }
            }
        }
    }

    /**
     * The checkpoints judged by what they read from ({@link CheckpointBases}), each with the checkpoints that read
     * from it.
     */
    private static List<CheckpointStatus> withBases(List<CheckpointStatus> checkpoints) {
        Map<Long, CheckpointStatus> byId = new HashMap<>();
        checkpoints.forEach(c -> byId.put(c.checkpointId(), c));
        Map<Long, NavigableSet<Long>> readers = new HashMap<>();
        List<CheckpointStatus> judged = new ArrayList<>();
        for (CheckpointStatus c : checkpoints) {
            CheckpointContent.closeOverBases(List.of(c.checkpointId()), id -> CheckpointBases.basesOf(byId.get(id)))
                    .forEach(b -> readers.computeIfAbsent(b, k -> new TreeSet<>()).add(c.checkpointId()));
            CheckpointBases.Verdict verdict = CheckpointBases.judge(c.checkpointId(), CheckpointBases.basesOf(c),
                    byId::get);
            judged.add(verdict.health().compareTo(c.health()) > 0 ? c.withHealth(verdict.health(), verdict.reason())
                    : c);
        }
        return judged.stream().map(c -> c.withBaseOf(List.copyOf(readers.getOrDefault(c.checkpointId(),
                new TreeSet<>())))).toList();
    }

    /** Lists each server's cells without reading their data. */
    static CheckpointStatus list(CheckpointPlan plan, Survey survey) {
        NavigableMap<Integer, NavigableSet<CellKey>> keys = new TreeMap<>();
        NavigableMap<Integer, LostServer> failed = new TreeMap<>();
        plan.active.forEach((server, source) -> {
            try {
                keys.put(server, source.cellKeys(plan.manifest));
            } catch (IOException e) {
                LostServer lost = new LostServer(server, source.location(), "failed to list its cells: "
                        + Survey.reason(e));
                log.warn("{}", lost);
                failed.put(server, lost);
                survey.markFailed(lost);
            }
        });
        Counts counts = new Counts(plan.servers());
        BadStripes bad = new BadStripes(plan);
        List<BadCell> badCells = new ArrayList<>();
        int cellsPerStripe = plan.policy.totalCells();
        for (int s = 0; s < plan.segmentCount(); s++) {
            int[] servers = plan.servers(s);
            StripeFetch.CellState[] states = new StripeFetch.CellState[cellsPerStripe];
            int good = 0;
            for (int j = 0; j < cellsPerStripe; j++) {
                NavigableSet<CellKey> held = keys.get(servers[j]);
                if (held == null) {
                    states[j] = StripeFetch.CellState.LOST;
                } else if (held.contains(new CellKey(s, j))) {
                    states[j] = StripeFetch.CellState.GOOD;
                    good++;
                } else {
                    states[j] = StripeFetch.CellState.MISSING;
                    badCells.add(BadCell.missing(servers[j], s, j));
                }
            }
            counts.stripe(states, servers);
            if (good < plan.policy.dataCells()) {
                bad.add(s, states, servers);
            }
        }
        keys.forEach((server, held) -> held.forEach(k -> {
            if (k.segmentIndex() >= plan.segmentCount() || k.cellIndex() >= cellsPerStripe
                    || plan.serverOf(k.segmentIndex(), k.cellIndex()) != server) {
                counts.foreign[server]++;
                badCells.add(BadCell.foreign(server, k.segmentIndex(), k.cellIndex(), "not a cell of server "
                        + server + " in checkpoint " + plan.checkpointId));
            }
        }));
        return status(plan, counts, bad, badCells, failed);
    }

    /** Reads every cell and checks its CRC. */
    private CheckpointStatus scrub(CheckpointPlan plan, Survey survey, ExecutorService pool)
            throws InterruptedException {
        Counts counts = new Counts(plan.servers());
        BadStripes bad = new BadStripes(plan);
        List<BadCell> badCells;
        Map<Integer, LostServer> failed;
        try (StripeFetch fetch = new StripeFetch(plan, options.readAheadBytes(), pool, true)) {
            fetch.start();
            for (int s = 0; s < plan.segmentCount(); s++) {
                StripeFetch.Stripe stripe = fetch.next();
                counts.stripe(stripe.states, stripe.servers);
                if (stripe.good() < plan.policy.dataCells()) {
                    bad.add(s, stripe.states, stripe.servers);
                }
            }
            badCells = fetch.badCells();
            failed = fetch.failures();
        }
        failed.values().forEach(survey::markFailed);
        badCells.stream().filter(c -> c.kind() == BadCell.Kind.FOREIGN && c.server() < plan.servers())
                .forEach(c -> counts.foreign[c.server()]++);
        bad.addForeign(badCells);
        return status(plan, counts, bad, badCells, failed);
    }

    private static CheckpointStatus status(CheckpointPlan plan, Counts counts, BadStripes bad, List<BadCell> badCells,
            Map<Integer, LostServer> failed) {
        List<ServerStatus> servers = new ArrayList<>();
        for (int i = 0; i < plan.servers(); i++) {
            boolean hasManifest = plan.manifestAgrees.containsKey(i);
            boolean agrees = plan.manifestAgrees.getOrDefault(i, false);
            if (plan.active.containsKey(i) && !failed.containsKey(i)) {
                servers.add(new ServerStatus(i, plan.active.get(i).location(), ServerStatus.State.READ, hasManifest,
                        agrees, counts.present[i], counts.expected[i], counts.corrupt[i], counts.foreign[i], ""));
            } else {
                LostServer lost = failed.containsKey(i) ? failed.get(i) : plan.lost.get(i);
                ServerStatus.State state = failed.containsKey(i) ? ServerStatus.State.LOST : plan.lostStates.get(i);
                servers.add(new ServerStatus(i, lost.location(), state, hasManifest, agrees, 0, counts.expected[i], 0,
                        0, lost.reason()));
            }
        }
        Health health;
        String reason = "";
        if (!bad.isEmpty()) {
            health = Health.UNRECOVERABLE;
            NavigableMap<Integer, LostServer> lost = new TreeMap<>(plan.lost);
            lost.putAll(failed);
            reason = bad.exception(lost).failures().get(0).reason();
        } else if (servers.stream().allMatch(ServerStatus::complete)) {
            health = Health.COMPLETE;
        } else {
            health = Health.DEGRADED;
        }
        Optional<CheckpointContent> content = CheckpointBases.content(plan.manifest);
        return new CheckpointStatus(plan.checkpointId, health, plan.manifest.policy(), plan.segmentCount(), servers,
                bad.stripes(), badCells, reason, CheckpointProtection.describe(plan.manifest.metadata()), content,
                List.of());
    }
}
