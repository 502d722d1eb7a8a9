package io.checkstripe.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code checkstripe} launcher. {@link #main} only exits with what {@link #run} returns, so
 * tests call {@code run} in-process with their own standard streams.
 *
 * <p>A user's mistake prints one line and no stack trace; {@code --verbose} adds the cause
 * chain. Exit codes are those of {@link ExitCode}. A command run with {@code --output json}
 * also prints its failure as JSON on stdout ({@link OutputFormat}).
 */
@Command(name = "checkstripe", mixinStandardHelpOptions = true, versionProvider = Checkstripe.Version.class,
        description = "Fault-tolerant application checkpoints striped with parity through Kafka.",
        footerHeading = "%nEnvironment:%n",
        footer = {
                "  CHECKSTRIPE_LOG_LEVEL        level of checkstripe's own log lines on stderr (default WARN;",
                "                               INFO shows what the services do)",
                "  CHECKSTRIPE_KAFKA_LOG_LEVEL  level of every other logger, Kafka's clients included (default ERROR)",
                "  CHECKSTRIPE_LOG_FORMAT       text (default) or json: one JSON object per log line",
                "  CHECKSTRIPE_JAVA_OPTS        extra JVM options of bin/checkstripe (e.g. -Xmx1g)"},
        subcommands = {
                DemoCommand.class,
                BenchCommand.class,
                BrokerCommand.class,
                StriperCommand.class,
                SinkCommand.class,
                KeygenCommand.class,
                PublishCommand.class,
                StatusCommand.class,
                RestoreCommand.class,
                RepairCommand.class,
                HealerCommand.class,
                CommandLine.HelpCommand.class})
public final class Checkstripe {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the cause chain of a failure, not just its message.")
    boolean verbose;

    /**
     * The streams of this run, for what is not a picocli writer: a checkpoint read from stdin or
     * restored to stdout, progress, a launched app.
     */
    InputStream in;
    PrintStream out;
    PrintStream err;

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs one command line and returns its exit code; never calls {@link System#exit}. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        Checkstripe root = new Checkstripe();
        root.in = in;
        root.out = out;
        root.err = err;
        CommandLine cl = new CommandLine(root);
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler((ex, a) -> {
            // One line: what is wrong and where help is; a mistyped option adds its suggestions below.
            PrintWriter w = ex.getCommandLine().getErr();
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            w.println(command + ": " + ex.getMessage() + " (see '" + command + " --help')");
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, w);
            w.flush();
            OutputFormat.printError(ex.getCommandLine(), ex.getMessage(), ExitCode.USAGE);
            return ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            int code = Failures.exitCode(ex);
            String message = Failures.describe(ex, c.getCommandName(), KafkaOptions.principalOf(c));
            PrintWriter w = c.getErr();
            w.println("checkstripe " + c.getCommandName() + ": " + message);
            if (root.verbose) {
                ex.printStackTrace(w);
            }
            w.flush();
            OutputFormat.printError(c, message, code);
            return code;
        });
        return cl.execute(args);
    }

    /** The version recorded in the jar manifest at build time. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Checkstripe.class.getPackage().getImplementationVersion();
            return new String[] {"checkstripe " + (v == null ? "(development build)" : v)};
        }
    }
}
