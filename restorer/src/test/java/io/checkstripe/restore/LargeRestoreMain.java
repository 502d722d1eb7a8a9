package io.checkstripe.restore;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * Restores in a JVM of its own, so a test can give it a small heap: {@code app out source...}. Prints the
 * report and the peak heap use; exits 0 on success, 2 when unrecoverable, 3 when verification fails.
 */
public final class LargeRestoreMain {

    private LargeRestoreMain() {
    }

    public static void main(String[] args) throws Exception {
        String app = args[0];
        Path out = Path.of(args[1]);
        RestoreOptions options = RestoreOptions.defaults();
        try {
            RestoreReport report = new Restorer(options).restore(app,
                    Cluster.sources(Arrays.asList(args).subList(2, args.length), options), out, OptionalLong.empty());
            System.out.print(report.format());
            System.out.println("max heap " + Runtime.getRuntime().maxMemory());
            System.exit(0);
        } catch (UnrecoverableCheckpointException e) {
            System.out.println(e.getMessage());
            System.exit(2);
        } catch (VerificationFailedException e) {
            System.out.println(e.getMessage());
            System.exit(3);
        }
    }
}
