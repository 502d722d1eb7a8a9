package io.checkstripe.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Helpers the sink's tests share, whether they run on a broker or on mock clients. */
final class SinkTestSupport {

    private SinkTestSupport() {
    }

    /** The last {@code name} header as UTF-8 text, or null when there is none. */
    static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Runs {@code command}, discarding its output, and returns its exit status. */
    static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().transferTo(OutputStream.nullOutputStream());
        return p.waitFor();
    }
}
