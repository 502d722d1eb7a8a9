package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.checkstripe.broker.BrokerListener;
import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.broker.KafkaBrokers;
import io.checkstripe.broker.KafkaFutures;
import io.checkstripe.broker.LocalPorts;
import io.checkstripe.cli.ExitCode;
import io.checkstripe.schemas.TopicNames;
import io.checkstripe.schemas.TopicProvisioner;
import io.checkstripe.testkit.TestPki;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.metadata.authorizer.StandardAuthorizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka security, tested for real: one broker process with a {@code SASL_SSL} listener (SCRAM-SHA-512 over TLS,
 * certificates from a throw-away CA) and the {@code StandardAuthorizer} with no ACL allowing anything by default;
 * one SCRAM principal per role holding only the ACLs docs/SECURITY.md lists for it; the operator (a super user)
 * creates the topics. Publish, striper, sinks and restore then run as real processes through their own
 * {@code --command-config} files; a publisher, a striper and a sink each lacking one ACL, and a wrong password, are
 * refused at once with a message naming the principal and {@link ExitCode#NOT_AUTHORIZED}.
 *
 * <p>The broker's loopback PLAINTEXT listener (controller, inter-broker, this test's Admin) authenticates nobody,
 * so its {@code User:ANONYMOUS} is a super user here; a production cluster secures those listeners too.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class KafkaSecurityFaultTest {

    private static final String LISTENER = "SASL_SSL";
    private static final String PUBLISH_PREFIX = "checkstripe-publish-";
    /** The striper's application id as {@link Pipeline} names it without a prefix. */
    private static final String APPLICATION_ID = "striper";
    private static final int SERVERS = 3;
    private static final String POLICY = "XOR-2-1";
    private static final String APP = "ledger";
    private static final Duration REFUSED_WITHIN = Duration.ofMinutes(2);

    /** Every principal's password (the test's; nothing else uses them). */
    private static final Map<String, String> PASSWORDS = Map.of("publisher", "publisher-secret", "striper",
            "striper-secret", "sink", "sink-secret", "intruder", "intruder-secret", "lurker", "lurker-secret");

    @TempDir
    static Path tmp;

    private static TestPki pki;
    private static BrokerProcess broker;
    private static KafkaBrokers secured;
    private static final TopicNames TOPICS = TopicNames.defaults();

    @BeforeAll
    static void startSecuredBroker() {
        pki = TestPki.create(tmp.resolve("pki"), "test-ca");
        TestPki.Issued server = pki.server("kafka");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        config.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        config.put("ssl.keystore.type", "PKCS12");
        config.put("ssl.keystore.location", server.keyStore().toString());
        config.put("ssl.keystore.password", server.password());
        config.put("ssl.key.password", server.password());
        config.put("authorizer.class.name", StandardAuthorizer.class.getName());
        config.put("allow.everyone.if.no.acl.found", "false");
        config.put("super.users", "User:ANONYMOUS;User:admin");
        int port = LocalPorts.free(1).get(0);
        broker = BrokerProcess.start(tmp.resolve("broker"), config, List.of(new BrokerListener(LISTENER, "SASL_SSL",
                port)));
        secured = new KafkaBrokers() {
            @Override
            public String bootstrapServers() {
                return broker.bootstrapServers(LISTENER);
            }

            @Override
            public Admin admin() {
                return broker.admin();
            }
        };
        // The operator's part: topics, principals, ACLs.
        new TopicProvisioner(broker.admin(), Duration.ofSeconds(60)).ensure(TopicProvisioner.specs(TOPICS, SERVERS,
                TopicProvisioner.Settings.defaults()), true);
        List<AclBinding> acls = new ArrayList<>();
        acls.addAll(publisherAcls("publisher", true));
        acls.addAll(publisherAcls("intruder", false));
        acls.addAll(striperAcls("striper", true));
        acls.addAll(striperAcls("lurker", false));
        acls.addAll(sinkAcls("sink"));
        Admin admin = broker.admin();
        KafkaFutures.get(admin.createAcls(acls).all(), Duration.ofSeconds(60), "create ACLs");
        List<UserScramCredentialUpsertion> users = PASSWORDS.entrySet().stream()
                .map(user -> new UserScramCredentialUpsertion(user.getKey(),
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), user.getValue()))
                .toList();
        KafkaFutures.get(admin.alterUserScramCredentials(new ArrayList<>(users)).all(), Duration.ofSeconds(60),
                "create SCRAM users");
        await("ACLs in force").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> KafkaFutures.get(admin.describeAcls(AclBindingFilter.ANY).values(), Duration.ofSeconds(10),
                        "describe ACLs").size()
                        == acls.size());
        for (String user : PASSWORDS.keySet()) {
            await(user + " authenticates").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> {
                        Map<String, Object> props = new HashMap<>(clientSettings(user, PASSWORDS.get(user)));
                        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, secured.bootstrapServers());
                        try (Admin as = Admin.create(props)) {
                            return !KafkaFutures.get(as.describeCluster().nodes(), Duration.ofSeconds(10),
                                    "describe the cluster as " + user).isEmpty();
                        }
                    });
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyRoleWithOnlyItsOwnAclsRunsThePipelineEndToEnd() {
        Path file = TestFiles.random(tmp.resolve("checkpoint-1.bin"), 3L * (1 << 20) + 17, 42);
        try (Pipeline pipeline = new Pipeline(secured, tmp.resolve("pipeline"), "", POLICY, SERVERS)
                .roleSettings(RoleConfigs.CLIENT, role("publisher", Map.of(
                        "checkstripe.transactional.id.prefix", PUBLISH_PREFIX)))
                .roleSettings(RoleConfigs.STRIPER, role("striper", Map.of(
                        "checkstripe.topic.create", "false")))
                .roleSettings(RoleConfigs.SINK, role("sink", Map.of()))) {
            assertThat(pipeline.striperApplicationId()).isEqualTo(APPLICATION_ID);
            pipeline.startStriper("striper");
            pipeline.startSinks();
            pipeline.publishProtected(APP, file, 1);
            pipeline.assertRestores(APP, 1, file);
            pipeline.striper("striper").assertAlive();
        }
    }

    @Test
    void aPublisherWithoutWriteOnTheCheckpointsTopicIsRefusedWithItsOwnExitCode() {
        Path file = TestFiles.random(tmp.resolve("refused.bin"), 1000, 7);
        Path config = RoleConfigs.write(tmp.resolve("intruder"), "publish", properties(role("intruder",
                Map.of("checkstripe.transactional.id.prefix", PUBLISH_PREFIX))));

        CheckstripeProcess.Result refused = Cli.run(List.of("publish", "--bootstrap-server",
                secured.bootstrapServers(), "--command-config", config.toString(), "--app", "intruded", "--file",
                file.toString()));

        assertThat(refused.exitCode()).as("%s", refused).isEqualTo(ExitCode.NOT_AUTHORIZED);
        assertThat(refused.stderr()).as("%s", refused)
                .contains("User:intruder", TOPICS.checkpoints(), "docs/SECURITY.md")
                .doesNotContain(PASSWORDS.get("intruder"));
        assertThat(refused.elapsed()).isLessThan(REFUSED_WITHIN);
    }

    @Test
    void aWrongPasswordIsRefusedWithTheSameExitCodeAndNeverShown() {
        Path file = TestFiles.random(tmp.resolve("wrong-password.bin"), 1000, 8);
        Path config = RoleConfigs.write(tmp.resolve("wrong-password"), "publish", properties(
                clientSettings("publisher", "not-the-password")));

        CheckstripeProcess.Result refused = Cli.run(List.of("publish", "--bootstrap-server",
                secured.bootstrapServers(), "--command-config", config.toString(), "--app", APP, "--file",
                file.toString()));

        assertThat(refused.exitCode()).as("%s", refused).isEqualTo(ExitCode.NOT_AUTHORIZED);
        assertThat(refused.stderr()).as("%s", refused).contains("authentication", "SCRAM-SHA-512")
                .doesNotContain("not-the-password");
    }

    @Test
    void aStriperThatMayNotJoinItsGroupStopsWithAClearMessageInsteadOfRetrying() {
        Path config = RoleConfigs.write(tmp.resolve("lurker"), "striper", properties(role("lurker",
                Map.of("checkstripe.topic.create", "false", "state.dir", tmp.resolve("lurker-state").toString()))));

        CheckstripeProcess.Result refused = CheckstripeProcess.run("striper-lurker", tmp.resolve("logs"),
                REFUSED_WITHIN, List.of("striper", "--bootstrap-server", secured.bootstrapServers(),
                        "--command-config", config.toString(), "--policy", POLICY, "--servers",
                        Integer.toString(SERVERS), "--application-id", APPLICATION_ID));

        assertThat(refused.exitCode()).as("%s", refused).isEqualTo(ExitCode.NOT_AUTHORIZED);
        assertThat(refused.stderr()).as("%s", refused)
                .contains("User:lurker", "consumer group " + APPLICATION_ID, "docs/SECURITY.md");
    }

    @Test
    void aSinkThatMayNotReadTheStripesStopsWithAClearMessageInsteadOfRetrying() {
        Path config = RoleConfigs.write(tmp.resolve("sink-intruder"), "sink", properties(role("intruder", Map.of())));

        CheckstripeProcess.Result refused = CheckstripeProcess.run("sink-intruder", tmp.resolve("logs"),
                REFUSED_WITHIN, List.of("sink", "--bootstrap-server", secured.bootstrapServers(), "--command-config",
                        config.toString(), "--server-index", "0", "--data-dir", tmp.resolve("intruder-store").toString()));

        assertThat(refused.exitCode()).as("%s", refused).isEqualTo(ExitCode.NOT_AUTHORIZED);
        assertThat(refused.stderr()).as("%s", refused)
                .contains("User:intruder", "topic(s) " + TOPICS.stripes(), "docs/SECURITY.md");
    }

    // ------------------------------------------------------------------ the ACLs of each role (docs/SECURITY.md)

    /** The publisher's ACLs; {@code mayWrite} false leaves out Write on the checkpoints topic. */
    private static List<AclBinding> publisherAcls(String user, boolean mayWrite) {
        List<AclBinding> acls = new ArrayList<>();
        acls.addAll(allow(user, topic(TOPICS.checkpoints()), mayWrite
                ? List.of(AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE_CONFIGS)
                : List.of(AclOperation.READ, AclOperation.DESCRIBE_CONFIGS)));
        acls.addAll(allow(user, topic(TOPICS.manifests()), List.of(AclOperation.READ)));
        acls.addAll(allow(user, topic(TOPICS.acks()), List.of(AclOperation.READ)));
        acls.addAll(allow(user, prefixed(ResourceType.GROUP, PUBLISH_PREFIX), List.of(AclOperation.READ)));
        acls.addAll(allow(user, prefixed(ResourceType.TRANSACTIONAL_ID, PUBLISH_PREFIX), List.of(AclOperation.WRITE)));
        return acls;
    }

    /** The striper's ACLs; {@code mayJoin} false leaves out Read on its consumer group. */
    private static List<AclBinding> striperAcls(String user, boolean mayJoin) {
        List<AclBinding> acls = new ArrayList<>();
        acls.addAll(allow(user, topic(TOPICS.checkpoints()), List.of(AclOperation.READ, AclOperation.DESCRIBE_CONFIGS)));
        for (String written : List.of(TOPICS.stripes(), TOPICS.manifests(), TOPICS.deadLetters())) {
            acls.addAll(allow(user, topic(written), List.of(AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS)));
        }
        acls.addAll(allow(user, topic(TOPICS.acks()), List.of(AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS)));
        if (mayJoin) {
            acls.addAll(allow(user, new ResourcePattern(ResourceType.GROUP, APPLICATION_ID, PatternType.LITERAL),
                    List.of(AclOperation.READ)));
        }
        acls.addAll(allow(user, prefixed(ResourceType.TRANSACTIONAL_ID, APPLICATION_ID + "-"),
                List.of(AclOperation.WRITE)));
        acls.addAll(allow(user, prefixed(ResourceType.TOPIC, APPLICATION_ID + "-"), List.of(AclOperation.CREATE,
                AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS)));
        return acls;
    }

    private static List<AclBinding> sinkAcls(String user) {
        List<AclBinding> acls = new ArrayList<>();
        acls.addAll(allow(user, topic(TOPICS.stripes()), List.of(AclOperation.READ)));
        acls.addAll(allow(user, topic(TOPICS.acks()), List.of(AclOperation.WRITE)));
        acls.addAll(allow(user, topic(TOPICS.deadLetters()), List.of(AclOperation.WRITE)));
        return acls;
    }

    private static ResourcePattern topic(String name) {
        return new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL);
    }

    private static ResourcePattern prefixed(ResourceType type, String prefix) {
        return new ResourcePattern(type, prefix, PatternType.PREFIXED);
    }

    private static List<AclBinding> allow(String user, ResourcePattern resource, List<AclOperation> operations) {
        return operations.stream().map(op -> new AclBinding(resource, new AccessControlEntry("User:" + user, "*", op,
                AclPermissionType.ALLOW))).toList();
    }

    // ------------------------------------------------------------------ client settings

    /** A role's {@code --command-config} settings: its SASL_SSL credentials, plus {@code extra}. */
    private static Map<String, String> role(String user, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(clientSettings(user, PASSWORDS.get(user)));
        settings.putAll(extra);
        return settings;
    }

    private static Map<String, String> clientSettings(String user, String password) {
        return Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";",
                "ssl.truststore.type", "PKCS12",
                "ssl.truststore.location", pki.trustStore().toString(),
                "ssl.truststore.password", TestPki.STORE_PASSWORD);
    }

    private static Properties properties(Map<String, String> settings) {
        Properties p = new Properties();
        settings.forEach(p::setProperty);
        return p;
    }
}
