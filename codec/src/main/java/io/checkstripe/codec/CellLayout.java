package io.checkstripe.codec;

/**
 * Where the cells of a stripe live: cell j of stripe s is stored on backup server
 * {@code (s + j) mod N}. Rotating by the stripe number spreads data and parity evenly over all
 * N servers (RAID-5 style), so no server holds only parity and the read load of a restore is
 * shared. N must be at least the cells per stripe, so no server holds two cells of a stripe.
 * Stateless.
 */
public final class CellLayout {

    private CellLayout() {
    }

    /**
     * The server that stores cell {@code cell} of stripe {@code stripe}.
     *
     * @throws IllegalArgumentException unless stripe &gt;= 0, servers &gt;= 1 and 0 &lt;= cell &lt; servers
     */
    public static int serverOf(long stripe, int cell, int servers) {
        if (stripe < 0) {
            throw new IllegalArgumentException("stripe must be >= 0, got " + stripe);
        }
        if (servers < 1) {
            throw new IllegalArgumentException("servers must be >= 1, got " + servers);
        }
        if (cell < 0 || cell >= servers) {
            throw new IllegalArgumentException("cell must be in [0, " + servers + "), got " + cell);
        }
        return (int) ((stripe % servers + cell) % servers);
    }

    /**
     * The cell of stripe {@code stripe} that server {@code server} stores, or -1 when it stores
     * none (N &gt; cells per stripe leaves some servers out of each stripe).
     *
     * @throws IllegalArgumentException unless stripe &gt;= 0, 1 &lt;= cellsPerStripe &lt;= servers
     *     and 0 &lt;= server &lt; servers
     */
    public static int cellOn(long stripe, int server, int servers, int cellsPerStripe) {
        if (stripe < 0) {
            throw new IllegalArgumentException("stripe must be >= 0, got " + stripe);
        }
        if (cellsPerStripe < 1) {
            throw new IllegalArgumentException("cellsPerStripe must be >= 1, got " + cellsPerStripe);
        }
        if (servers < cellsPerStripe) {
            throw new IllegalArgumentException("need at least as many servers as cells per stripe ("
                    + cellsPerStripe + "), got " + servers);
        }
        if (server < 0 || server >= servers) {
            throw new IllegalArgumentException("server must be in [0, " + servers + "), got " + server);
        }
        int cell = (int) Math.floorMod(server - stripe % servers, (long) servers);
        return cell < cellsPerStripe ? cell : -1;
    }
}
