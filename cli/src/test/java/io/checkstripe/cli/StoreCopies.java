package io.checkstripe.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The stores of a pipeline whose sinks were stopped, copied afresh before each test (and deleted after it),
 * so that every test's damage starts from the same protected state. Registered as a static extension; the
 * class's set-up hands it the pipeline with {@link #keep}. Not thread-safe.
 */
final class StoreCopies implements BeforeEachCallback, AfterEachCallback {

    private List<Path> stores = List.of();
    private Path dir;
    private List<Path> copies = new ArrayList<>();

    /** Stops the pipeline's sinks and keeps their stores, server i at index i, as what each test copies. */
    void keep(Pipeline pipeline) {
        pipeline.stopSinks();
        stores = pipeline.dataDirs();
    }

    /** This test's copy of server {@code server}'s store. */
    Path get(int server) {
        return copies.get(server);
    }

    /** Names {@code location} as server {@code server}'s store for the rest of this test. */
    void replace(int server, Path location) {
        copies.set(server, location);
    }

    /** Every server's store of this test, as {@code --from} takes them. */
    List<String> sources() {
        return copies.stream().map(Path::toString).toList();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("store-copies-");
        copies = new ArrayList<>();
        for (int i = 0; i < stores.size(); i++) {
            Path copy = dir.resolve("server-" + i);
            TestFiles.copyTree(stores.get(i), copy);
            copies.add(copy);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        TestFiles.deleteTree(dir);
    }
}
