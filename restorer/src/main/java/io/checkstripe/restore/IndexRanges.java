package io.checkstripe.restore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * An ascending set of non-negative indexes (stripes, segments, servers) kept as ranges, so that the thousands
 * of stripes a lost server takes with it cost a few ints and print as {@code 0-41, 50}. Reports and exception
 * messages name stripes this way: {@code stripes 0-41 (42 of 64)}. Immutable and thread-safe; build one with
 * {@link Builder}.
 */
public final class IndexRanges {

    private static final IndexRanges EMPTY = new IndexRanges(new int[0], 0);

    /** Pairs of first and last index of each range, ascending and not touching. */
    private final int[] bounds;
    private final long size;

    private IndexRanges(int[] bounds, long size) {
        this.bounds = bounds;
        this.size = size;
    }

    /** The empty set. */
    public static IndexRanges empty() {
        return EMPTY;
    }

    /** The given indexes, in any order, duplicates ignored. */
    public static IndexRanges of(int... indexes) {
        int[] sorted = indexes.clone();
        Arrays.sort(sorted);
        Builder b = new Builder();
        for (int i : sorted) {
            b.add(i);
        }
        return b.build();
    }

    /** The given indexes, in any order, duplicates ignored. */
    public static IndexRanges of(Collection<Integer> indexes) {
        return of(indexes.stream().mapToInt(Integer::intValue).toArray());
    }

    /** How many indexes. */
    public long size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Whether {@code index} is in the set. */
    public boolean contains(int index) {
        for (int r = 0; r < bounds.length; r += 2) {
            if (index >= bounds[r] && index <= bounds[r + 1]) {
                return true;
            }
        }
        return false;
    }

    /** The smallest index, or -1 when empty. */
    public int first() {
        return bounds.length == 0 ? -1 : bounds[0];
    }

    /** Calls {@code action} with every index, ascending. */
    public void forEach(IntConsumer action) {
        for (int r = 0; r < bounds.length; r += 2) {
            for (int i = bounds[r]; i <= bounds[r + 1]; i++) {
                action.accept(i);
            }
        }
    }

    /** Every range, ascending: the whole set however long, as {@link #toString()} is not. */
    public List<Range> ranges() {
        List<Range> ranges = new ArrayList<>(bounds.length / 2);
        for (int r = 0; r < bounds.length; r += 2) {
            ranges.add(new Range(bounds[r], bounds[r + 1]));
        }
        return ranges;
    }

    /** Every index, ascending; meant for small sets and tests. */
    public List<Integer> toList() {
        List<Integer> all = new ArrayList<>();
        forEach(all::add);
        return all;
    }

    /** {@code what} followed by the ranges and, when {@code total} is positive, {@code (n of total)}. */
    public String describe(String what, long total) {
        return what + " " + this + (total > 0 ? " (" + size + " of " + total + ")" : "");
    }

    /** The ranges, such as {@code 0-41, 50}, at most 20 of them before {@code ...}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < bounds.length; r += 2) {
            if (r >= 40) {
                sb.append(", ...");
                break;
            }
            if (r > 0) {
                sb.append(", ");
            }
            sb.append(bounds[r]);
            if (bounds[r + 1] != bounds[r]) {
                sb.append('-').append(bounds[r + 1]);
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexRanges other && Arrays.equals(bounds, other.bounds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }

    /**
     * One run of consecutive indexes, {@code first} to {@code last} inclusive.
     *
     * @param first the smallest index of the run
     * @param last  the largest, at least {@code first}
     */
    public record Range(int first, int last) {
        /** @throws IllegalArgumentException naming a negative first index or a last one below it */
        public Range {
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("range " + first + "-" + last + " is not from a non-negative index "
                        + "up to one at least as large");
            }
        }
    }

    /** Collects indexes given in ascending order (repeats of the last one are ignored). Not thread-safe. */
    public static final class Builder {
        private int[] bounds = new int[8];
        private int used;
        private long size;

        /**
         * Adds {@code index}.
         *
         * @throws IllegalArgumentException when it is negative or smaller than the last one added
         */
        public Builder add(int index) {
            if (index < 0) {
                throw new IllegalArgumentException("index " + index + " is negative");
            }
            if (used > 0) {
                int last = bounds[used - 1];
                if (index < last) {
                    throw new IllegalArgumentException("index " + index + " added after " + last);
                }
                if (index == last) {
                    return this;
                }
                if (index == last + 1) {
                    bounds[used - 1] = index;
                    size++;
                    return this;
                }
            }
            if (used + 2 > bounds.length) {
                bounds = Arrays.copyOf(bounds, bounds.length * 2);
            }
            bounds[used++] = index;
            bounds[used++] = index;
            size++;
            return this;
        }

        public IndexRanges build() {
            return used == 0 ? EMPTY : new IndexRanges(Arrays.copyOf(bounds, used), size);
        }
    }
}
