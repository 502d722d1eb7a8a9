package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hand-off of pieces to a worker thread: order, bounds, batches and failures. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class PieceQueueTest {

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theWorkerSeesEveryPieceInOrderInBoundedBatches() throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        long max = 64 * 1024;
        SplittableRandom random = new SplittableRandom(3);
        try (PieceQueue q = PieceQueue.start("testing", pool, max, (batch, bytes) -> {
            long sum = 0;
            for (ByteBuffer b : batch) {
                sum += b.remaining();
                seen.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            }
            assertThat(sum).isEqualTo(bytes);
            batchSizes.add(batch.length);
        })) {
            for (int i = 0; i < 2_000; i++) {
                // mostly small pieces, some empty, some larger than the whole queue
                int length = i % 97 == 0 ? (int) max * 2 : i % 13 == 0 ? 0 : random.nextInt(1, 600);
                byte[] piece = new byte[length + 10];
                random.nextBytes(piece);
                q.add(piece, 5, length);
                sent.write(piece, 5, length);
            }
            q.finish();
        }
        assertThat(seen.toByteArray()).isEqualTo(sent.toByteArray());
        assertThat(batchSizes).allSatisfy(n -> assertThat(n).isBetween(1, PieceQueue.MAX_GATHER));
    }

    @Test
    void aFailureOfTheWorkerIsThrownByFinishAndByTheNextAdd() throws IOException {
        PieceQueue q = PieceQueue.start("testing", pool, 1024, (batch, bytes) -> {
            throw new IOException("disk on fire");
        });
        q.add(new byte[10], 0, 10);

        assertThatThrownBy(q::finish).isInstanceOf(IOException.class).hasMessage("disk on fire");
        assertThatThrownBy(() -> q.add(new byte[10], 0, 10)).isInstanceOf(IOException.class)
                .hasMessageContaining("failed testing").hasMessageContaining("disk on fire");
        q.close();
    }

    @Test
    void aQueueOfNoBytesIsAMistake() {
        assertThatThrownBy(() -> PieceQueue.start("testing", pool, 0, (batch, bytes) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 bytes");
    }
}
