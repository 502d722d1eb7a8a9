package io.checkstripe.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** Counters registered per reason as they occur, as a registry and a Prometheus scrape show them. */
class ReasonCountersTest {

    @Test
    void countsEachReasonOnACounterOfItsOwnRegisteredOnlyOnceItOccurs() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReasonCounters counters = new ReasonCounters(registry, "checkstripe.test.rejected", "Things rejected",
                Tags.of("role", "test"));
        assertThat(registry.find("checkstripe.test.rejected").counters()).isEmpty();
        assertThat(counters.total()).isZero();

        counters.increment("unreadable");
        counters.increment("misrouted");
        counters.increment("unreadable");

        assertThat(registry.find("checkstripe.test.rejected").counters()).hasSize(2);
        Counter unreadable = registry.get("checkstripe.test.rejected").tags("role", "test", "reason", "unreadable")
                .counter();
        assertThat(unreadable.count()).isEqualTo(2.0);
        assertThat(unreadable.getId().getDescription()).isEqualTo("Things rejected");
        assertThat(registry.get("checkstripe.test.rejected").tag("reason", "misrouted").counter().count())
                .isEqualTo(1.0);
        assertThat(counters.total()).isEqualTo(3);
    }

    @Test
    void aPrometheusScrapeShowsOneTotalPerReasonWithItsHelp() {
        PrometheusMeterRegistry registry = ProcessMetrics.registry(Tags.of("server", "1"));
        ReasonCounters counters = new ReasonCounters(registry, "checkstripe.test.dead.letters",
                "Records sent to the dead-letter topic, by reason", Tags.empty());
        counters.increment("corrupt-cell");

        PrometheusText scrape = PrometheusText.parse(registry.scrape());
        assertThat(scrape.family("checkstripe_test_dead_letters").type()).isEqualTo("counter");
        assertThat(scrape.family("checkstripe_test_dead_letters").help())
                .isEqualTo("Records sent to the dead-letter topic, by reason");
        assertThat(scrape.value("checkstripe_test_dead_letters_total",
                Map.of("server", "1", "reason", "corrupt-cell"))).isEqualTo(1.0);
    }

    @Test
    void threadsCountingTheSameNewReasonAtOnceLoseNoCount() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReasonCounters counters = new ReasonCounters(registry, "checkstripe.test.rejected", "Things rejected",
                Tags.empty());
        int threads = 8;
        int each = 1_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        counters.increment("unreadable");
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.find("checkstripe.test.rejected").counters()).hasSize(1);
        assertThat(counters.total()).isEqualTo((long) threads * each);
    }
}
