package io.checkstripe.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --output text|json}, shared by the commands whose result scripts read: {@code status},
 * {@code restore}, {@code repair} and {@code publish}. With {@code json} the command prints one JSON document
 * on stdout ({@link ReportJson}) and nothing else goes there: progress and logs go to stderr. A failure still
 * prints its one line on stderr and exits with its code, and adds {@code {"error": ..., "exitCode": N}} on
 * stdout, so a script always has JSON to parse; that holds for a usage mistake too once {@code --output json}
 * was read, which is always unless an option before it has a value picocli cannot convert.
 */
final class OutputFormat {

    /** The formats, spelled in any case on the command line ({@code json} as scripts write it). */
    enum Format {
        TEXT, JSON;

        /** Reads a format by its name in any case. */
        static final class Converter implements CommandLine.ITypeConverter<Format> {
            @Override
            public Format convert(String value) {
                try {
                    return valueOf(value.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.TypeConversionException("expected text or json, got '" + value + "'");
                }
            }
        }
    }

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text", converter = Format.Converter.class,
            description = "text (the default) or json: one JSON document on stdout, progress and errors on stderr.")
    Format format;

    boolean json() {
        return format == Format.JSON;
    }

    /** Prints the text for people or, with {@code --output json}, the document, and flushes. */
    void print(PrintWriter out, Supplier<String> text, Supplier<JsonNode> json) {
        if (json()) {
            Json.write(out, json.get());
        } else {
            out.println(text.get());
            out.flush();
        }
    }

    /** After {@code command} failed: when it was asked for JSON, the error document on its stdout. */
    static void printError(CommandLine command, String message, int exitCode) {
        for (CommandSpec mixin : command.getCommandSpec().mixins().values()) {
            if (mixin.userObject() instanceof OutputFormat output && output.json()) {
                Json.write(command.getOut(), Json.error(message, exitCode));
            }
        }
    }
}
