package io.checkstripe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.checkstripe.broker.BrokerProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code checkstripe broker}: a real single-node KRaft broker (combined broker and controller)
 * for local use, in its own data directory and its own process. It prints the bootstrap address
 * once the broker answers and stops it cleanly on Ctrl-C. Restarting on the same directory keeps
 * the data and the port.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a single-node KRaft Kafka broker for local use; Ctrl-C stops it.")
final class BrokerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "Directory for the broker's configuration, logs and data (created if missing).")
    Path dataDir;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
            description = "Client port on 127.0.0.1; 0 (default) keeps the port recorded in --data-dir or picks a free one.")
    int port;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new UsageException("--port must be between 0 and 65535: " + port);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        BrokerProcess broker = BrokerProcess.start(dataDir.toAbsolutePath(), port);
        Thread hook = new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "checkstripe-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        var out = spec.commandLine().getOut();
        out.println("broker running: bootstrap server " + broker.bootstrapServers()
                + " (data in " + broker.dataDir() + ", log " + broker.logFile() + "); Ctrl-C stops it");
        out.flush();
        stopped.await();
        return ExitCode.OK;
    }
}
