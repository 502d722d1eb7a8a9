package io.checkstripe.restore;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one restore, scrub or repair: daemons, so a source stuck in a read never keeps the JVM up.
 * Stateless.
 */
final class Pools {

    private Pools() {
    }

    static ExecutorService newPool(String name) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "checkstripe-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }
}
