package io.checkstripe.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.schemas.TopicProvisioner;
import io.checkstripe.striper.StriperApp;
import io.checkstripe.striper.StriperConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code checkstripe striper}: runs the Kafka Streams job that cuts published checkpoints into
 * stripes. Any number of instances may share the work (same application id). Ctrl-C closes it
 * cleanly, committing its exactly-once transaction state.
 */
@Command(name = "striper", mixinStandardHelpOptions = true,
        description = "Run the Kafka Streams job that stripes checkpoints over the backup servers.")
final class StriperCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--policy", paramLabel = "POLICY", defaultValue = StriperConfig.POLICY_DEFAULT,
            description = "Redundancy policy: STRIPE-K, XOR-K-1, RS-K-M, MIRROR-R, optionally with a cell size "
                    + "(RS-6-3-1024k). Default: ${DEFAULT-VALUE}.")
    String policy;

    @Option(names = "--allowed-policies", paramLabel = "POLICY[,POLICY...]", split = ",",
            description = "Policies a checkpoint may ask for (publish --policy), e.g. RS-3-2,RS-6-3,MIRROR-3; every "
                    + "record of a checkpoint asking for another is dead-lettered (policy-not-allowed). Must include "
                    + "--policy. Default: --policy only.")
    List<String> allowedPolicies;

    @Option(names = "--servers", required = true, paramLabel = "N",
            description = "Number of backup servers = partitions of the stripes topic.")
    int servers;

    @Option(names = "--application-id", paramLabel = "ID", defaultValue = StriperConfig.APPLICATION_ID_DEFAULT,
            description = "Kafka Streams application id. Default: ${DEFAULT-VALUE}.")
    String applicationId;

    @Option(names = "--replication-factor", paramLabel = "R", defaultValue = "-1",
            description = "Replication factor of topics the job creates; -1 (default) takes the broker's default.")
    short replicationFactor;

    @Option(names = "--partitions", paramLabel = "P",
            defaultValue = "" + TopicProvisioner.Settings.DEFAULT_CHECKPOINTS_PARTITIONS,
            description = "Partitions of the checkpoints topic when the job creates it: how many striper instances "
                    + "can share the work. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "-1",
            description = "Port of the HTTP server of GET /metrics (Prometheus) and GET /health; 0 picks a free one; "
                    + "-1 (default) serves none.")
    int httpPort;

    @Option(names = "--http-host", paramLabel = "HOST", defaultValue = StriperConfig.HTTP_HOST_DEFAULT,
            description = "Address the HTTP server binds to. Default: ${DEFAULT-VALUE}.")
    String httpHost;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> props = kafka.clientProperties();
        props.put(StriperConfig.POLICY_CONFIG, policy);
        if (allowedPolicies != null) {
            props.put(StriperConfig.ALLOWED_POLICIES_CONFIG, String.join(",", allowedPolicies));
        }
        props.put(StriperConfig.SERVERS_CONFIG, servers);
        props.put(StriperConfig.TOPIC_REPLICATION_FACTOR_CONFIG, replicationFactor);
        props.put("application.id", applicationId);
        props.put(StriperConfig.TOPIC_CHECKPOINTS_PARTITIONS_CONFIG, partitions);
        props.put(StriperConfig.HTTP_PORT_CONFIG, httpPort);
        props.put(StriperConfig.HTTP_HOST_CONFIG, httpHost);
        StriperConfig config = Failures.config(() -> new StriperConfig(props));
        try (StriperApp app = new StriperApp(config)) {
            Runtime.getRuntime().addShutdownHook(new Thread(app::close, "checkstripe-striper-shutdown"));
            app.start();
            spec.commandLine().getOut().printf("striper running: %s (allowed %s) over %d servers, application id "
                    + "%s%s; Ctrl-C stops it%n", config.policy().name(), String.join(",", config.allowedPolicies()
                    .stream().map(RedundancyPolicy::name).toList()), config.servers(), config.applicationId(),
                    app.httpUri() == null ? "" : ", metrics and health on HTTP " + app.httpUri());
            spec.commandLine().getOut().flush();
            app.run();
        }
        return ExitCode.OK;
    }
}
