package io.checkstripe.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one JSON mapper and writer of {@code --output json}, so every command prints its document the same
 * way: indented two spaces a level, {@code "name": value}, ending with a newline. Thread-safe.
 */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter WRITER = MAPPER.writer(new DefaultPrettyPrinter(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE));

    private Json() {
    }

    /** A new, empty object to fill. */
    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** The document of a failed command: its one-line message and its exit code. */
    static ObjectNode error(String message, int exitCode) {
        return object().put("error", message).put("exitCode", exitCode);
    }

    /** Prints {@code document} and flushes. */
    static void write(PrintWriter out, JsonNode document) {
        try {
            out.println(WRITER.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            // A tree of nodes always serialises; this would be a bug in Jackson.
            throw new UncheckedIOException(e);
        }
        out.flush();
    }
}
