package io.checkstripe.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.checkstripe.restore.CellSource;
import io.checkstripe.restore.RepairReport;
import io.checkstripe.restore.Repairer;
import io.checkstripe.restore.RestoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code checkstripe repair}: rebuilds the cells a replaced backup server should hold from the
 * other servers and writes them, durably, into its new store.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = "Rebuild a replaced server's cells from the others into its data directory. "
                + "--output json prints the report as one JSON document.")
final class RepairCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Checkstripe root;

    @Mixin
    SourceOptions sources;

    @Mixin
    OutputFormat output;

    @Option(names = "--server-index", required = true, paramLabel = "I", description = "The replaced server's index.")
    int serverIndex;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The replaced server's store.")
    Path dataDir;

    @Option(names = "--rate", paramLabel = "MB_PER_S", defaultValue = "0",
            description = "Checkpoint bytes rebuilt per second at most, in MB, so that the repair leaves the other "
                    + "servers' disks and network to the pipeline; 0 (default) for no limit.")
    double rate;

    @Override
    public Integer call() throws Exception {
        if (!(rate >= 0)) {
            throw new UsageException("--rate must be 0 or more MB/s, got " + rate);
        }
        RestoreOptions options = sources.options(root.err, false);
        List<CellSource> opened = sources.open(options);
        RepairReport report;
        try {
            report = new Repairer(options, rate * 1e6).repair(sources.app, opened, serverIndex,
                    dataDir.toAbsolutePath());
        } finally {
            SourceOptions.closeAll(opened);
        }
        output.print(spec.commandLine().getOut(), report::format, () -> ReportJson.repair(report));
        // Some checkpoint could not be rebuilt from the others: the report above names it and why.
        return report.unrecoverable().isEmpty() ? ExitCode.OK : ExitCode.UNRECOVERABLE;
    }
}
