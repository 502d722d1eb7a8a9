package io.checkstripe.sink;

import io.checkstripe.core.tls.BearerToken;
import io.checkstripe.metrics.ReasonCounters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the bearer token of a request to the sink's API and slows down whoever guesses it: once an address has
 * failed {@code maxFailures} times within the lockout window, its requests are answered 429 with
 * {@code Retry-After} until the window has passed, without looking at the token, so even a correct guess is not
 * confirmed. Every failure is logged with the remote address (never what it presented) and counted in
 * {@code checkstripe.sink.http.auth.failures} by reason ({@code missing}, {@code invalid}, {@code throttled}).
 *
 * <p>The token comparison is constant-time ({@link BearerToken#matches}). At most {@value #MAX_TRACKED} addresses
 * are remembered; beyond that, those whose window has passed are forgotten first, then all, so a flood from many
 * addresses costs bounded memory and at worst resets the counts. The clock is a parameter so that tests pass time
 * without sleeping. Thread-safe.
 */
final class AuthGuard {

    private static final Logger log = LoggerFactory.getLogger(AuthGuard.class);

    static final int MAX_TRACKED = 10_000;
    static final String AUTH_FAILURES = "checkstripe.sink.http.auth.failures";

    /** What to answer a request. */
    sealed interface Verdict permits Allowed, Unauthorized, Throttled {
    }

    /** The request carries the token (or no token is needed). */
    record Allowed() implements Verdict {
    }

    /** No token, or a wrong one: 401; {@code presented} says which. */
    record Unauthorized(boolean presented) implements Verdict {
    }

    /** Too many failures from this address: 429, retry after {@code seconds}. */
    record Throttled(long seconds) implements Verdict {
    }

    private static final class Failures {
        long windowStart;
        int count;
        long lockedUntil;
    }

    private final int serverIndex;
    private final BearerToken token;
    private final int maxFailures;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private final ReasonCounters failures;
    private final Map<InetAddress, Failures> byAddress = new ConcurrentHashMap<>();

    AuthGuard(int serverIndex, SinkHttpSecurity security, MeterRegistry registry, LongSupplier nanoTime) {
        this.serverIndex = serverIndex;
        this.token = security.token();
        this.maxFailures = security.maxFailures();
        this.windowNanos = security.lockout().toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.failures = new ReasonCounters(Objects.requireNonNull(registry, "registry"), AUTH_FAILURES,
                "Requests to the HTTP API refused for a missing or wrong token, or because their address failed too "
                        + "often", Tags.empty());
    }

    /**
     * The verdict on a request from {@code remote} to {@code what} carrying {@code authorization} (the header's
     * value, or null).
     */
    Verdict check(InetAddress remote, String authorization, String what) {
        if (token == null) {
            return new Allowed();
        }
        long now = nanoTime.getAsLong();
        Failures f = byAddress.get(remote);
        if (f != null) {
            synchronized (f) {
                if (f.lockedUntil - now > 0) {
                    failures.increment("throttled");
                    return new Throttled(Math.max(1, Duration.ofNanos(f.lockedUntil - now).toSeconds()));
                }
            }
        }
        String presented = bearer(authorization);
        if (token.matches(presented)) {
            return new Allowed();
        }
        failures.increment(presented == null ? "missing" : "invalid");
        int count = fail(remote, now);
        if (count >= maxFailures) {
            log.warn("backup server {}: refused {} from {}: {} bearer token; {} failures from that address within {}"
                            + " s, refusing it for {} s", serverIndex, what, remote.getHostAddress(),
                    presented == null ? "no" : "wrong", count, Duration.ofNanos(windowNanos).toSeconds(),
                    Duration.ofNanos(windowNanos).toSeconds());
        } else {
            log.warn("backup server {}: refused {} from {}: {} bearer token ({} of {} failures allowed)", serverIndex,
                    what, remote.getHostAddress(), presented == null ? "no" : "wrong", count, maxFailures);
        }
        return new Unauthorized(presented != null);
    }

    /** The failures counted so far, for tests. */
    long failures() {
        return failures.total();
    }

    private int fail(InetAddress remote, long now) {
        if (byAddress.size() >= MAX_TRACKED && !byAddress.containsKey(remote)) {
            byAddress.values().removeIf(f -> {
                synchronized (f) {
                    return now - f.windowStart - windowNanos > 0 && now - f.lockedUntil > 0;
                }
            });
            if (byAddress.size() >= MAX_TRACKED) {
                log.warn("backup server {}: failed authentications from more than {} addresses; forgetting their "
                        + "counts", serverIndex, MAX_TRACKED);
                byAddress.clear();
            }
        }
        Failures f = byAddress.computeIfAbsent(remote, a -> new Failures());
        synchronized (f) {
            if (f.count == 0 || now - f.windowStart - windowNanos > 0) {
                f.windowStart = now;
                f.count = 0;
            }
            f.count++;
            if (f.count >= maxFailures) {
                f.lockedUntil = now + windowNanos;
            }
            return f.count;
        }
    }

    /** The token of an {@code Authorization: Bearer ...} value, or null when there is none. */
    private static String bearer(String authorization) {
        if (authorization == null || authorization.length() < 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String t = authorization.substring(7).strip();
        return t.isEmpty() ? null : t;
    }
}
