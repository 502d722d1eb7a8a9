package io.checkstripe.codec;

/**
 * Run in a child JVM by {@link KernelFallbackTest}: prints the default kernel's name and the
 * RS-6-3 parity of fixed cells as hex, or the message of the error choosing a kernel.
 */
public final class KernelProbe {

    private KernelProbe() {
    }

    public static void main(String[] args) {
        try {
            String kernel = ReedSolomon.defaultKernel();
            System.out.println(kernel + " " + parityHex(ReedSolomon.create(6, 3)));
        } catch (IllegalStateException e) {
            System.out.println("error " + e.getMessage());
        }
    }

    /** RS-6-3 parity of cells of 300 bytes filled with a fixed pattern, as hex. */
    static String parityHex(ReedSolomon codec) {
        int size = 300;
        byte[][] cells = new byte[9][size];
        for (int j = 0; j < 6; j++) {
            for (int b = 0; b < size; b++) {
                cells[j][b] = (byte) ((j * size + b) * 0x9E3779B1 >>> 24);
            }
        }
        codec.encode(cells, 0, size);
        StringBuilder hex = new StringBuilder();
        for (int i = 6; i < 9; i++) {
            hex.append(TestCells.hex(cells[i], 0, size));
        }
        return hex.toString();
    }
}
