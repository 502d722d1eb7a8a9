package io.checkstripe.sink.store;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stand-in for the codec's {@code RedundancyPolicy} and {@code CellLayout} until they are published: the
 * store only needs a policy's canonical name, its cells per stripe, a cell's length and the cell rotation.
 */
final class Policies {

    private static final Pattern NAME = Pattern.compile("(RS|XOR|MIRROR|STRIPE)-(\\d{1,3})(?:-(\\d{1,3}))?(?:-(\\d{1,7})K)?");

    private Policies() {
    }

    record Policy(String name, int dataCells, int totalCells, int fixedCellSize) {
        int cellLength(int segmentLength) {
            return fixedCellSize > 0 ? fixedCellSize : (segmentLength + dataCells - 1) / dataCells;
        }
    }

    static Policy parse(String name) {
        if (name == null) {
            throw new IllegalArgumentException("redundancy policy is null");
        }
        Matcher m = NAME.matcher(name.toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown redundancy policy \"" + name + "\"");
        }
        String scheme = m.group(1);
        int a = Integer.parseInt(m.group(2));
        int b = m.group(3) == null ? -1 : Integer.parseInt(m.group(3));
        int fixed = m.group(4) == null ? 0 : Integer.parseInt(m.group(4)) * 1024;
        int k;
        int total;
        switch (scheme) {
            case "RS" -> { k = a; total = a + b; }
            case "XOR" -> { k = a; total = a + 1; }
            case "MIRROR" -> { k = 1; total = a; }
            default -> { k = a; total = a; }
        }
        boolean twoNumbers = scheme.equals("RS") || scheme.equals("XOR");
        if (k < 1 || total > 256 || (twoNumbers != (b >= 0)) || (scheme.equals("XOR") && b != 1)
                || (scheme.equals("RS") && b < 1)) {
            throw new IllegalArgumentException("unknown redundancy policy \"" + name + "\"");
        }
        String canonical = scheme + "-" + a + (b >= 0 ? "-" + b : "") + (fixed > 0 ? "-" + (fixed / 1024) + "k" : "");
        return new Policy(canonical, k, total, fixed);
    }

    static int serverOf(int stripe, int cell, int servers) {
        return (int) (((long) stripe + cell) % servers);
    }

    static int cellOn(int stripe, int server, int servers, int cellsPerStripe) {
        int cell = Math.floorMod(server - stripe, servers);
        return cell < cellsPerStripe ? cell : -1;
    }
}
