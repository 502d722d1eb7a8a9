package io.checkstripe.heal;

import io.checkstripe.restore.RestoreOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * What the healer watches and how hard it may work. Immutable; the constructor validates.
 *
 * @param servers       every backup server's HTTP API ({@code http://host:port}), each both a source for the
 *                      others and a server to heal; at least two
 * @param rateMegabytes checkpoint bytes rebuilt per second at most, in MB (10^6 bytes), 0 for no limit
 * @param interval      pause between two passes
 * @param spoolDir      where one checkpoint's rebuilt cells wait until it verified
 * @param restore       timeouts and read-ahead of the reads from the servers
 * @param writeTimeout  how long one write to a server (a checkpoint's cells and its fsync) may take
 */
public record HealerOptions(List<URI> servers, double rateMegabytes, Duration interval, Path spoolDir,
        RestoreOptions restore, Duration writeTimeout) {

    /** Default rate: a sixth of a spinning disk, a small share of a 1 Gbit/s link. */
    public static final double DEFAULT_RATE_MEGABYTES = 16;

    /** Default pause between passes: rot or a lost server is noticed within a minute of the scrub's report. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

    /** Default write timeout: enough for a server's share of a multi-gigabyte checkpoint and its fsync. */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofMinutes(10);

    /** @throws IllegalArgumentException naming what is wrong */
    public HealerOptions {
        servers = List.copyOf(servers);
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(spoolDir, "spoolDir");
        Objects.requireNonNull(restore, "restore");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        if (servers.size() < 2) {
            throw new IllegalArgumentException("the healer needs at least two backup servers' URLs, got "
                    + servers.size() + ": a server is rebuilt from the others");
        }
        if (new HashSet<>(servers).size() != servers.size()) {
            throw new IllegalArgumentException("a backup server URL is given twice: " + servers);
        }
        if (!(rateMegabytes >= 0)) {
            throw new IllegalArgumentException("rate " + rateMegabytes + " MB/s is negative");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval " + interval + " is not positive");
        }
        if (writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("write timeout " + writeTimeout + " is not positive");
        }
    }

    /** The defaults for these servers, spooling under {@code spoolDir}. */
    public static HealerOptions of(List<URI> servers, Path spoolDir) {
        return new HealerOptions(servers, DEFAULT_RATE_MEGABYTES, DEFAULT_INTERVAL, spoolDir,
                RestoreOptions.defaults(), DEFAULT_WRITE_TIMEOUT);
    }

    public HealerOptions withRate(double megabytes) {
        return new HealerOptions(servers, megabytes, interval, spoolDir, restore, writeTimeout);
    }
}
