package io.checkstripe.cli;

import java.util.List;
import java.util.concurrent.Callable;

import io.checkstripe.restore.CellSource;
import io.checkstripe.restore.RestoreOptions;
import io.checkstripe.restore.StatusReport;
import io.checkstripe.restore.StatusScanner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code checkstripe status}: a table of an application's checkpoints by backup server, each
 * complete, degraded (rebuildable) or unrecoverable. By default every cell's CRC is checked (a
 * scrub); {@code --quick} only compares what the servers list. The exit code is the newest
 * checkpoint's health ({@link ExitCode#ofStatus}), so a monitor needs no parsing to raise an alarm.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show which servers hold which checkpoints and whether each can be rebuilt. Exits 0 when the "
                + "newest checkpoint is complete, 6 when it is degraded (still rebuildable), 2 when it is "
                + "unrecoverable or there is none. --output json prints one JSON document.")
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Checkstripe root;

    @Mixin
    SourceOptions sources;

    @Mixin
    OutputFormat output;

    @Option(names = "--quick", description = "Do not read and CRC-check every cell; trust the servers' listings.")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        RestoreOptions options = sources.options(root.err, false);
        List<CellSource> opened = sources.open(options);
        StatusReport report;
        try {
            report = new StatusScanner(options).scan(sources.app, opened, !quick);
        } finally {
            SourceOptions.closeAll(opened);
        }
        output.print(spec.commandLine().getOut(), report::format, () -> ReportJson.status(report));
        return ExitCode.ofStatus(report);
    }
}
