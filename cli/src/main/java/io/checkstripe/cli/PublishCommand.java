package io.checkstripe.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import io.checkstripe.chunking.ChunkingConfig;
import io.checkstripe.core.HumanFormat;
import io.checkstripe.producer.CheckpointPublisher;
import io.checkstripe.producer.PublishRequest;
import io.checkstripe.producer.PublishResult;
import io.checkstripe.producer.PublisherConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code checkstripe publish}: streams a checkpoint file, or stdin with {@code --file -}, into
 * Kafka in one transaction and exits 0 once it is committed, or with {@code --wait-protected} once
 * every backup server holds it durably. Either way the input is read a segment at a time, so memory
 * does not grow with the checkpoint. With {@code --stripe-locally} the stripes are formed here and
 * written straight to the stripes topic. With {@code --key-file} every segment is encrypted and the
 * commit signed before anything leaves this process. {@code --policy} chooses the checkpoint's redundancy
 * policy; a checkpoint the striper refuses (a policy it does not allow, more cells per stripe than there
 * are servers) exits {@link ExitCode#REJECTED}, at once even with {@code --wait-protected}.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publish a checkpoint file, or stdin with --file -; exits 0 once it is committed (or "
                + "protected). --output json prints the result as one JSON document.")
final class PublishCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Checkstripe root;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    OutputFormat output;

    @Option(names = "--app", required = true, paramLabel = "APP", description = "Application id.")
    String app;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Content content;

    /** What to publish: a file or a directory tree. */
    static final class Content {
        @Option(names = "--file", required = true, paramLabel = "FILE",
                description = "The checkpoint to publish; - reads it from stdin, to its end.")
        Path file;

        @Option(names = "--dir", required = true, paramLabel = "D",
                description = "Publish the directory tree D (files, directories, links that stay inside D; names, "
                        + "permissions, modification times) as one checkpoint; restore --out-dir recreates it. "
                        + "Nothing may write to D meanwhile.")
        Path dir;
    }

    @Option(names = "--incremental",
            description = "Send only the chunks the app's previous checkpoint did not store; reference the rest. "
                    + "The publisher keeps the previous checkpoint's chunk index on this machine "
                    + "(checkstripe.chunking.index.dir); without it the checkpoint goes in full.")
    boolean incremental;

    @Option(names = "--chunk-size", paramLabel = "BYTES",
            description = "Average content-defined chunk size, a power of two; chunks are 1/4 to 4 times it. "
                    + "Smaller finds more unchanged data in scattered small edits. Default: 1048576.")
    Integer chunkSize;

    @Option(names = "--checkpoint-id", paramLabel = "ID",
            description = "Checkpoint id; must be newer than the app's newest. Default: the next one.")
    Long checkpointId;

    @Option(names = "--wait-protected",
            description = "Wait until every backup server acknowledged the checkpoint as durable.")
    boolean waitProtected;

    @Option(names = "--protect-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "How long --wait-protected waits. Default: ${DEFAULT-VALUE} s.")
    long protectTimeoutSeconds;

    @Option(names = "--segment-size", paramLabel = "BYTES",
            description = "Segment size in bytes. Default: 1048576.")
    Integer segmentSize;

    @Option(names = "--metadata", paramLabel = "KEY=VALUE",
            description = "Application metadata, repeatable; stored in the clear (signed with --key-file). Keys "
                    + "may not start with checkstripe., which is reserved.")
    Map<String, String> metadata = new LinkedHashMap<>();

    @Option(names = "--key-file", paramLabel = "K",
            description = "The application's key file (checkstripe keygen --out K): encrypt every segment "
                    + "(AES-256-GCM) and sign the commit (Ed25519) with its newest key.")
    Path keyFile;

    @Option(names = "--stripe-locally",
            description = "Form the stripes here and write them straight to the stripes topic (needs --policy and --servers).")
    boolean stripeLocally;

    @Option(names = "--policy", paramLabel = "POLICY",
            description = "Redundancy policy of this checkpoint, e.g. RS-6-3; the striper refuses one it does not "
                    + "allow (exit 9). With --stripe-locally and no checkstripe.policy in --command-config, also "
                    + "the local default. Default: checkstripe.publish.policy, else the striper's default.")
    String policy;

    @Option(names = "--servers", paramLabel = "N",
            description = "Number of backup servers, for --stripe-locally and --wait-protected.")
    Integer servers;

    @Override
    public Integer call() throws Exception {
        Path file = content.file;
        Path dir = content.dir;
        boolean fromStdin = file != null && StandardStreams.named(file);
        if (file != null && !fromStdin && !Files.isRegularFile(file)) {
            throw new UsageException("--file: no such file: " + file);
        }
        if (dir != null && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new UsageException("--dir: no such directory (or a link to one): " + dir);
        }
        Map<String, Object> props = kafka.clientProperties();
        boolean localDefault = props.containsKey(PublisherConfig.POLICY_CONFIG);
        if (stripeLocally && ((policy == null && !localDefault) || servers == null)) {
            throw new UsageException("--stripe-locally needs --policy and --servers");
        }
        PublishRequest request = new PublishRequest(app,
                checkpointId == null ? OptionalLong.empty() : OptionalLong.of(checkpointId), metadata, waitProtected);
        if (policy != null) {
            request = request.withPolicy(policy);
        }
        props.put(PublisherConfig.PROTECT_TIMEOUT_MS_CONFIG, protectTimeoutSeconds * 1000);
        if (segmentSize != null) {
            props.put(PublisherConfig.SEGMENT_BYTES_CONFIG, segmentSize);
        }
        props.put(PublisherConfig.STRIPE_LOCALLY_CONFIG, stripeLocally);
        if (keyFile != null) {
            props.put(PublisherConfig.KEY_FILE_CONFIG, keyFile.toString());
        }
        if (stripeLocally && policy != null && !localDefault) {
            props.put(PublisherConfig.POLICY_CONFIG, policy);
        }
        if (servers != null) {
            props.put(PublisherConfig.SERVERS_CONFIG, servers);
        }
        if (incremental) {
            props.put(PublisherConfig.CHUNKING_ENABLED_CONFIG, true);
        }
        if (chunkSize != null) {
            props.put(PublisherConfig.CHUNKING_AVG_BYTES_CONFIG, chunkSize);
            props.put(PublisherConfig.CHUNKING_MIN_BYTES_CONFIG, Math.max(ChunkingConfig.MIN_CHUNK_SIZE, chunkSize / 4));
            props.put(PublisherConfig.CHUNKING_MAX_BYTES_CONFIG,
                    (int) Math.min(ChunkingConfig.MAX_CHUNK_SIZE, 4L * chunkSize));
        }
        PublisherConfig config = Failures.config(() -> new PublisherConfig(props));
        PublishResult result;
        try (CheckpointPublisher publisher = new CheckpointPublisher(config)) {
            if (content.dir != null) {
                result = publisher.publishDirectory(request, content.dir);
            } else {
                result = fromStdin ? publisher.publish(request, root.in) : publisher.publish(request, content.file);
            }
        }
        output.print(spec.commandLine().getOut(), () -> text(result), () -> ReportJson.publish(result));
        return ExitCode.OK;
    }

    private String text(PublishResult result) {
        String committed = String.format(Locale.ROOT, "published %s checkpoint %d: %s in %d segments, sha256 %s, "
                + "committed in %s", result.appId(), result.checkpointId(), HumanFormat.size(result.totalBytes()),
                result.segments(), result.sha256(), HumanFormat.duration(result.elapsed()))
                + (keyFile == null ? "" : "; encrypted and signed")
                + result.content().map(c -> String.format(Locale.ROOT, "%n%s content %s: %s new, %s shared%s",
                        c.type().key(), HumanFormat.size(c.bytes()), HumanFormat.size(c.newBytes()),
                        HumanFormat.size(c.sharedBytes()), c.isIncremental() ? " (bases " + c.bases() + ")" : ""))
                        .orElse("");
        return result.timeToProtected().map(t -> committed + System.lineSeparator()
                + "protected on every backup server after " + HumanFormat.duration(t)).orElse(committed);
    }
}
