package io.checkstripe.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Stack;
import java.util.concurrent.Callable;

import io.checkstripe.crypto.KeyFile;
import io.checkstripe.restore.AppLauncher;
import io.checkstripe.restore.CellSource;
import io.checkstripe.restore.RestoreOptions;
import io.checkstripe.restore.RestoreReport;
import io.checkstripe.restore.Restorer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code checkstripe restore}: rebuilds a checkpoint from the surviving backup servers, verifies
 * it end to end and, with {@code --exec}, starts the application from it. Without
 * {@code --checkpoint} it takes the newest checkpoint that can be rebuilt. With {@code --out -} the
 * checkpoint goes to stdout once verified ({@link ScratchFile}) and the report to stderr, so a pipe
 * carries only the checkpoint's bytes; that is why it takes neither {@code --output json} nor
 * {@code --exec}. Nor do those two go together: the application would write to stdout after the document.
 * With {@code --key-file} only checkpoints the application signed are restored, decrypted; one that is not
 * authentic is refused and reported, and the restore falls back as it does from an unrecoverable one.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Rebuild and verify a checkpoint from the backup servers; optionally run the application. "
                + "--out - writes it to stdout once verified; --output json prints the report as one JSON document.")
final class RestoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Checkstripe root;

    @Mixin
    SourceOptions sources;

    @Mixin
    OutputFormat output;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    /** Where to restore to: a file or a directory. */
    static final class Target {
        @Option(names = "--out", required = true, paramLabel = "FILE",
                description = "Where to write the checkpoint; - for stdout, once verified (restored to a temp file "
                        + "in java.io.tmpdir first), the report then going to stderr.")
        Path out;

        @Option(names = "--out-dir", required = true, paramLabel = "D",
                description = "Recreate a directory checkpoint (publish --dir) as D, which must not exist or be "
                        + "empty: staged beside it, verified, then renamed into place. Entries that would land "
                        + "outside D are refused.")
        Path outDir;
    }

    @Option(names = "--checkpoint", paramLabel = "ID",
            description = "Restore this checkpoint; never falls back to an older one.")
    Long checkpoint;

    @Option(names = "--key-file", paramLabel = "K",
            description = "The application's key file: restore only checkpoints its keys signed (refusing and "
                    + "reporting forged or altered ones, falling back to the newest authentic one) and decrypt "
                    + "them. Needed for an encrypted checkpoint.")
    Path keyFile;

    @Option(names = "--progress", description = "Show progress even when stderr is not a terminal.")
    boolean progress;

    @Option(names = "--exec", arity = "1..*", paramLabel = "CMD", parameterConsumer = RestOfLine.class,
            description = "After a verified restore, run CMD ARGS...; {} in ARGS becomes the restored file's path. "
                    + "Takes the rest of the line, so it comes last and every argument after it is CMD's, even "
                    + "one that looks like an option of restore (a leading -- is dropped). The exit code is "
                    + "then CMD's.")
    List<String> exec = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (target.outDir != null) {
            return restoreToDirectory(target.outDir);
        }
        boolean toStdout = StandardStreams.named(target.out);
        refuseConflicts(toStdout);
        return toStdout ? restoreToStdout() : restoreToFile();
    }

    private int restoreToFile() throws IOException {
        Path file = target.out.toAbsolutePath();
        Path dir = file.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageException("--out: directory does not exist: " + dir);
        }
        RestoreReport report = restore(file, false);
        output.print(spec.commandLine().getOut(), report::format, () -> ReportJson.restore(report));
        if (exec.isEmpty()) {
            return ExitCode.OK;
        }
        return AppLauncher.launch(exec, report.output());
    }

    private int restoreToDirectory(Path outDir) throws IOException {
        refuseConflicts(false);
        Path where = outDir.toAbsolutePath();
        Path parent = where.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UsageException("--out-dir: parent directory does not exist: " + parent);
        }
        RestoreReport report = restore(where, true);
        output.print(spec.commandLine().getOut(), report::format, () -> ReportJson.restore(report));
        return exec.isEmpty() ? ExitCode.OK : AppLauncher.launch(exec, report.output());
    }

    /** Restores to a scratch file, copies it to stdout once verified, and reports on stderr. */
    private int restoreToStdout() throws IOException {
        try (ScratchFile scratch = ScratchFile.create()) {
            RestoreReport report = restore(scratch.path(), false);
            scratch.copyTo(root.out);
            PrintWriter err = spec.commandLine().getErr();
            err.println(report.withOutput(target.out).format());
            err.flush();
            return ExitCode.OK;
        }
    }

    /** Refuses the options that would put something beside the checkpoint or the document on stdout. */
    private void refuseConflicts(boolean toStdout) {
        if (toStdout && output.json()) {
            throw new UsageException("--out - puts the checkpoint on stdout, where --output json would put its "
                    + "report: restore to a file with --out FILE");
        }
        if (toStdout && !exec.isEmpty()) {
            throw new UsageException("--exec starts the application on a restored file, which --out - does not "
                    + "leave: restore to one with --out FILE");
        }
        if (output.json() && !exec.isEmpty()) {
            throw new UsageException("--exec lets the application write to stdout after the report, where "
                    + "--output json allows one JSON document only: leave out one of them");
        }
    }

    private RestoreReport restore(Path target, boolean directory) throws IOException {
        RestoreOptions options = sources.options(root.err, progress);
        if (keyFile != null) {
            options = options.withKeyFile(KeyFile.read(keyFile));
        }
        List<CellSource> opened = sources.open(options);
        try {
            OptionalLong wanted = checkpoint == null ? OptionalLong.empty() : OptionalLong.of(checkpoint);
            Restorer restorer = new Restorer(options);
            return directory ? restorer.restoreDirectory(sources.app, opened, target, wanted)
                    : restorer.restore(sources.app, opened, target, wanted);
        } finally {
            SourceOptions.closeAll(opened);
        }
    }

    /**
     * Gives {@code --exec} every remaining argument: an application's own options ({@code -c},
     * {@code --help}, {@code --out}) must reach it, not be parsed as restore's.
     */
    static final class RestOfLine implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            List<String> command = new ArrayList<>();
            while (!args.isEmpty()) {
                command.add(args.pop());
            }
            if (!command.isEmpty() && command.get(0).equals("--")) {
                command.remove(0);
            }
            if (command.isEmpty()) {
                throw new ParameterException(commandSpec.commandLine(), "--exec needs a command: --exec CMD [ARGS...]");
            }
            argSpec.setValue(command);
        }
    }
}
