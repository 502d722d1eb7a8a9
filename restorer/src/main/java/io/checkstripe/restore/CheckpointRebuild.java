package io.checkstripe.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;

/**
 * Rebuilds a planned checkpoint stripe by stripe, the part restore and repair share: fetch (in parallel,
 * bounded), check, decode, verify against surviving parity, hash, and hand every segment to a consumer in
 * order; the SHA-256 is computed on a thread of its own. A restore fetches the parity cells of a stripe only
 * when a data cell is lost or bad (see {@link StripeFetch}); a repair fetches them all. When a stripe has fewer
 * than K intact cells the rebuild stops handing out segments but keeps reading, so that the failure names every
 * stripe that cannot be rebuilt, not just the first. Stateless; each run uses its own fetch and buffers.
 */
final class CheckpointRebuild {

    /** Receives each rebuilt segment, in order. */
    interface SegmentConsumer {
        /**
         * @param stripe  the stripe (segment) index
         * @param rebuilt its segment bytes ({@link StripeRebuilder#forEachPiece}) and, when the rebuild was
         *                asked to encode, its cells
         */
        void accept(int stripe, StripeRebuilder rebuilt) throws IOException;
    }

    /** What a completed rebuild found. */
    record Outcome(List<BadCell> badCells, long cellsRebuilt, NavigableMap<Integer, LostServer> lost,
            List<Integer> used) {
    }

    /**
     * Bytes waiting to be hashed at most. The SHA-256 runs on a thread of its own, beside the fetch and the
     * decode: hashing is the largest serial cost of a restore.
     */
    static final long HASH_QUEUE_BYTES = 8L << 20;

    private CheckpointRebuild() {
    }

    /**
     * Rebuilds the whole checkpoint and checks its SHA-256 before returning.
     *
     * @param encodeAll encode every stripe again (a repair needs the parity cells), not only reconstructed ones
     * @throws UnrecoverableCheckpointException naming every stripe with fewer than K intact cells
     * @throws VerificationFailedException      when a stripe contradicts its parity or the SHA-256 differs
     */
    static Outcome run(CheckpointPlan plan, Survey survey, RestoreOptions options, ExecutorService pool,
            Progress progress, boolean encodeAll, SegmentConsumer consumer) throws IOException, InterruptedException {
        BadStripes bad = new BadStripes(plan);
        plan.stripesBeyondRepair().forEach(s -> bad.add(s, plan.statesWithoutReading(s), plan.servers(s)));
        if (!bad.isEmpty()) {
            throw bad.exception(plan.lost);
        }
        MessageDigest sha = sha256();
        StripeRebuilder rebuilder = new StripeRebuilder(plan.app, plan.checkpointId, plan.policy,
                plan.manifest.segmentSize());
        long cellsRebuilt = 0;
        int k = plan.policy.dataCells();
        List<BadCell> badCells;
        Map<Integer, LostServer> failed;
        try (PieceQueue hasher = PieceQueue.start("hashing checkpoint " + plan.checkpointId + " of " + plan.app, pool,
                HASH_QUEUE_BYTES, (batch, bytes) -> {
                    for (ByteBuffer piece : batch) {
                        sha.update(piece);
                    }
                });
                StripeFetch fetch = new StripeFetch(plan, options.readAheadBytes(), pool, encodeAll)) {
            fetch.start();
            for (int s = 0; s < plan.segmentCount(); s++) {
                StripeFetch.Stripe stripe = fetch.next();
                if (!stripe.dataIntact(k)) {
                    fetch.readUnread(stripe);
                }
                if (stripe.good() < k) {
                    bad.add(s, stripe.states, stripe.servers);
                } else if (bad.isEmpty()) { // once unrecoverable, only read on to name every bad stripe
                    cellsRebuilt += rebuilder.rebuild(stripe, encodeAll);
                    rebuilder.forEachPiece(hasher::add);
                    consumer.accept(s, rebuilder);
                    progress.advance(rebuilder.length());
                }
            }
            badCells = fetch.badCells();
            failed = fetch.failures();
            if (bad.isEmpty()) {
                hasher.finish();
            }
        }
        failed.values().forEach(survey::markFailed);
        NavigableMap<Integer, LostServer> lost = new TreeMap<>(plan.lost);
        lost.putAll(failed);
        if (!bad.isEmpty()) {
            bad.addForeign(badCells);
            throw bad.exception(lost);
        }
        byte[] actual = sha.digest();
        if (!MessageDigest.isEqual(actual, plan.manifest.sha256())) {
            throw VerificationFailedException.sha256(plan.app, plan.checkpointId, plan.manifest.sha256(), actual);
        }
        List<Integer> used = plan.active.keySet().stream().filter(server -> !failed.containsKey(server)).toList();
        return new Outcome(badCells, cellsRebuilt, lost, used);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
