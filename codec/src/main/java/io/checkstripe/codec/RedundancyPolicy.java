package io.checkstripe.codec;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one segment becomes a stripe: the scheme, K data cells, M parity cells and optionally a
 * fixed cell size. Named like HDFS erasure-coding policies so operators recognise them:
 *
 * <ul>
 *   <li>{@code STRIPE-K}: K data cells, no parity (M = 0), survives no loss;</li>
 *   <li>{@code XOR-K-1}: K data cells and one XOR parity cell, survives one loss;</li>
 *   <li>{@code RS-K-M}: K data and M Reed-Solomon parity cells, survives any M losses;</li>
 *   <li>{@code MIRROR-R}: R whole copies, modelled as K = 1 and M = R - 1.</li>
 * </ul>
 *
 * A suffix {@code -<n>k} (KiB) or {@code -<n>m} (MiB) fixes the cell size, e.g.
 * {@code RS-6-3-1024k}; producers then cut segments of at most K x cell size, and every cell of
 * every stripe has that size. Without it a segment of L bytes has cells of ceil(L / K) bytes.
 *
 * <p>Limits: K + M &lt;= 255 cells per stripe (the field GF(2^8) has 255 usable evaluation
 * points, and every cell needs its own server); the fixed cell size is a whole number of KiB
 * from 1 KiB to 64 MiB. The canonical {@link #name()} writes the cell size in KiB, so
 * {@code parse("RS-6-3-1m").name()} is {@code "RS-6-3-1024k"}; {@code parse(p.name())}
 * equals {@code p}.
 */
public record RedundancyPolicy(Scheme scheme, int dataCells, int parityCells, int fixedCellSize) {

    /** Most cells a stripe may have. */
    public static final int MAX_TOTAL_CELLS = 255;

    /** Largest fixed cell size, 64 MiB. */
    public static final int MAX_CELL_SIZE = 64 << 20;

    /** What the parse error messages say is allowed. */
    static final String ALLOWED = "expected STRIPE-K, XOR-K-1, RS-K-M or MIRROR-R (K >= 1, M >= 1, R >= 1, "
            + "at most " + MAX_TOTAL_CELLS + " cells per stripe), optionally followed by a cell size "
            + "-<n>k or -<n>m from 1k to 64m, e.g. RS-6-3 or RS-6-3-1024k";

    private static final Pattern NAME = Pattern.compile(
            "(STRIPE|XOR|RS|MIRROR)-(\\d+)(?:-(\\d+))?(?:-(\\d+)([KM]))?", Pattern.CASE_INSENSITIVE);

    /** The coding scheme of a policy. */
    public enum Scheme {
        /** Data cells only. */
        STRIPE,
        /** One XOR parity cell. */
        XOR,
        /** Reed-Solomon over GF(2^8). */
        RS,
        /** Whole copies. */
        MIRROR
    }

    /**
     * @throws IllegalArgumentException if the numbers do not fit the scheme; the message says
     *     what the scheme allows
     */
    public RedundancyPolicy {
        if (scheme == null) {
            throw new IllegalArgumentException("scheme must not be null");
        }
        switch (scheme) {
            case STRIPE -> require(dataCells >= 1 && dataCells <= MAX_TOTAL_CELLS && parityCells == 0,
                    "STRIPE-K needs 1 <= K <= 255 and no parity", dataCells, parityCells);
            case XOR -> require(dataCells >= 1 && dataCells < MAX_TOTAL_CELLS && parityCells == 1,
                    "XOR-K-1 needs 1 <= K <= 254 and exactly one parity cell (use RS-K-M for more)",
                    dataCells, parityCells);
            case RS -> require(dataCells >= 1 && parityCells >= 1
                            && (long) dataCells + parityCells <= MAX_TOTAL_CELLS,
                    "RS-K-M needs K >= 1, M >= 1 and K + M <= 255", dataCells, parityCells);
            case MIRROR -> {
                if (dataCells != 1 || parityCells < 0 || parityCells >= MAX_TOTAL_CELLS) {
                    throw new IllegalArgumentException("MIRROR-R needs 1 <= R <= 255 copies, modelled as K = 1 and "
                            + "M = R - 1, got K=" + dataCells + ", M=" + parityCells + " (R=" + (parityCells + 1L) + ")");
                }
            }
        }
        if (fixedCellSize != 0 && (fixedCellSize < 1024 || fixedCellSize > MAX_CELL_SIZE || fixedCellSize % 1024 != 0)) {
            throw new IllegalArgumentException("fixed cell size must be 0 (cells follow the segment) or a whole "
                    + "number of KiB from 1k to 64m, got " + fixedCellSize + " bytes");
        }
    }

    private static void require(boolean ok, String rule, int k, int m) {
        if (!ok) {
            throw new IllegalArgumentException(rule + ", got K=" + k + ", M=" + m);
        }
    }

    /**
     * Parses a policy name such as {@code RS-6-3}, {@code XOR-4-1}, {@code MIRROR-3},
     * {@code STRIPE-4} or {@code RS-6-3-1024k}; case-insensitive.
     *
     * @throws IllegalArgumentException naming the bad input and what is allowed
     */
    public static RedundancyPolicy parse(String name) {
        if (name == null) {
            throw new IllegalArgumentException("redundancy policy must not be null: " + ALLOWED);
        }
        Matcher match = NAME.matcher(name.strip());
        if (!match.matches()) {
            throw new IllegalArgumentException("unknown redundancy policy '" + name + "': " + ALLOWED);
        }
        Scheme scheme = Scheme.valueOf(match.group(1).toUpperCase(Locale.ROOT));
        int first = number(match.group(2));
        String second = match.group(3);
        boolean twoNumbers = scheme == Scheme.XOR || scheme == Scheme.RS;
        if (twoNumbers != (second != null)) {
            throw new IllegalArgumentException("bad redundancy policy '" + name + "': " + scheme
                    + (twoNumbers ? " takes K and M" : " takes one number") + "; " + ALLOWED);
        }
        int cellSize = 0;
        if (match.group(4) != null) {
            long unit = match.group(5).equalsIgnoreCase("k") ? 1024L : 1024L * 1024;
            long size = number(match.group(4)) * unit;
            if (size < 1024 || size > MAX_CELL_SIZE) {
                throw new IllegalArgumentException("bad redundancy policy '" + name + "': cell size must be from 1k "
                        + "to 64m; " + ALLOWED);
            }
            cellSize = (int) size;
        }
        try {
            return switch (scheme) {
                case STRIPE -> new RedundancyPolicy(scheme, first, 0, cellSize);
                case MIRROR -> new RedundancyPolicy(scheme, 1, first - 1, cellSize);
                case XOR, RS -> new RedundancyPolicy(scheme, first, number(second), cellSize);
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad redundancy policy '" + name + "': " + e.getMessage(), e);
        }
    }

    /** Digits to int; too many digits saturate so that validation rejects them with its message. */
    private static int number(String digits) {
        return digits.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(digits);
    }

    /** The canonical name, e.g. {@code RS-6-3} or {@code RS-6-3-1024k}. */
    public String name() {
        String base = switch (scheme) {
            case STRIPE -> "STRIPE-" + dataCells;
            case XOR, RS -> scheme + "-" + dataCells + "-" + parityCells;
            case MIRROR -> "MIRROR-" + (parityCells + 1);
        };
        return fixedCellSize == 0 ? base : base + "-" + (fixedCellSize / 1024) + "k";
    }

    /** K + M: cells per stripe, and the least number of backup servers. */
    public int totalCells() {
        return dataCells + parityCells;
    }

    /** M: how many cells of a stripe (servers) may be lost. */
    public int toleratedLosses() {
        return parityCells;
    }

    /** Stored bytes per data byte: (K + M) / K. */
    public double storageOverhead() {
        return (double) totalCells() / dataCells;
    }

    /** Whether every cell has {@link #fixedCellSize()} bytes. */
    public boolean hasFixedCellSize() {
        return fixedCellSize != 0;
    }

    /**
     * Bytes per cell for a segment of {@code segmentLength} bytes: ceil(length / K), or the
     * fixed cell size. A zero-length segment has cells of 0 bytes (of the fixed size when fixed).
     *
     * @throws IllegalArgumentException if the length is negative or above {@link #maxSegmentLength()}
     */
    public int cellLength(int segmentLength) {
        if (segmentLength < 0) {
            throw new IllegalArgumentException("segment length must be >= 0, got " + segmentLength);
        }
        if (segmentLength > maxSegmentLength()) {
            throw new IllegalArgumentException("segment of " + segmentLength + " bytes exceeds " + name()
                    + "'s maximum of " + maxSegmentLength() + " bytes (K x cell size)");
        }
        if (fixedCellSize != 0) {
            return fixedCellSize;
        }
        return segmentLength / dataCells + (segmentLength % dataCells == 0 ? 0 : 1);
    }

    /**
     * The longest segment one stripe holds: K x fixed cell size (capped at
     * {@link Integer#MAX_VALUE}), or {@link Integer#MAX_VALUE} without a fixed cell size.
     */
    public int maxSegmentLength() {
        return fixedCellSize == 0 ? Integer.MAX_VALUE
                : (int) Math.min(Integer.MAX_VALUE, (long) dataCells * fixedCellSize);
    }

    /** The codec of this policy (Reed-Solomon codecs are shared per K and M). */
    public ErasureCodec codec() {
        return switch (scheme) {
            case STRIPE -> PlainStripe.create(dataCells);
            case XOR -> XorParity.create(dataCells);
            case RS -> ReedSolomon.create(dataCells, parityCells);
            case MIRROR -> Mirror.create(parityCells + 1);
        };
    }

    @Override
    public String toString() {
        return name();
    }
}
