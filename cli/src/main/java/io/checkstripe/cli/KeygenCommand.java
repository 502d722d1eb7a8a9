package io.checkstripe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.checkstripe.crypto.KeyFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code checkstripe keygen}: writes an application's key file, readable by its owner only, and its public
 * keys beside it ({@code K.pub}, for the striper and the sinks). {@code --rotate} adds a newer key to an
 * existing file, which then encrypts and signs while the older ones still restore what they made. It never
 * overwrites a key file otherwise: losing a key loses every checkpoint made under it. Prints key ids and paths,
 * never key material.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Write a new application key file K (mode 0600) and its public keys K.pub; --rotate adds a "
                + "newer key to an existing K, which then encrypts and signs while the older keys still decrypt.")
final class KeygenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "K",
            description = "The key file to write; K.pub is written beside it.")
    Path out;

    @Option(names = "--rotate", description = "Add a newer key to the existing key file K and rewrite K.pub.")
    boolean rotate;

    @Override
    public Integer call() throws Exception {
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageException("--out: directory does not exist: " + dir);
        }
        KeyFile keys;
        if (rotate) {
            if (!Files.exists(out)) {
                throw new UsageException("--rotate: no key file " + out + " to add a key to; leave out --rotate to "
                        + "create one");
            }
            keys = KeyFile.read(out).rotate();
        } else {
            if (Files.exists(out)) {
                throw new UsageException("--out: " + out + " exists; refusing to overwrite a key file (its "
                        + "checkpoints could not be restored without it); use --rotate to add a newer key");
            }
            keys = KeyFile.generate();
        }
        keys.write(out, rotate);
        spec.commandLine().getOut().println("wrote key file " + out + " (keys " + keys.publicKeys().keys().keySet()
                + ", key " + keys.newest().id() + " encrypts and signs) and public keys " + KeyFile.publicFile(out));
        return ExitCode.OK;
    }
}
