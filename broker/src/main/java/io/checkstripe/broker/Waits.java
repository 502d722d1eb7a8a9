package io.checkstripe.broker;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Waiting for a broker or a child process to reach a state, in runtime code that cannot use a test
 * library: polls a condition at a fixed interval against a monotonic deadline and fails with a message
 * naming what it waited for. Stateless.
 */
final class Waits {

    private Waits() {
    }

    /**
     * Polls {@code condition} every {@code interval} until it returns true.
     *
     * @param ignoreExceptions whether an exception of the condition counts as "not yet" (the last one is
     *                         attached to the timeout) or ends the wait at once
     * @throws IllegalStateException naming {@code what} when {@code atMost} passes first
     */
    static void until(String what, Duration atMost, Duration interval, boolean ignoreExceptions,
                      Callable<Boolean> condition) {
        long deadline = System.nanoTime() + atMost.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (RuntimeException e) {
                if (!ignoreExceptions) {
                    throw e;
                }
                last = e;
            } catch (Exception e) {
                if (!ignoreExceptions) {
                    throw new IllegalStateException("waiting for " + what + " failed: " + e, e);
                }
                last = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("timed out after " + atMost + " waiting for " + what, last);
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, interval.toNanos()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }
}
