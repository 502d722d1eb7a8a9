package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

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
import org.apache.kafka.common.utils.SecurityUtils;
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
 * one SCRAM principal per role holding only the ACLs that the {@code kafka-acls.sh} commands of docs/SECURITY.md
 * grant it (read from the guide, so the guide is what is tested); the operator (a super user) creates the topics.
 * Publish, striper, sinks and restore then run as real processes through their own {@code --command-config} files; a publisher, a striper and a sink each lacking one ACL, and a wrong password, are
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
    private static final String APPLICATION_ID = "checkstripe-striper";
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
        Map<String, List<AclBinding>> documented = documentedAcls();
        List<AclBinding> acls = new ArrayList<>();
        documented.values().forEach(acls::addAll);
        acls.addAll(as("intruder", documented.get("User:publisher"), acl -> acl.pattern().equals(
                new ResourcePattern(ResourceType.TOPIC, TOPICS.checkpoints(), PatternType.LITERAL))
                && acl.entry().operation() == AclOperation.WRITE));
        acls.addAll(as("lurker", documented.get("User:striper"),
                acl -> acl.pattern().resourceType() == ResourceType.GROUP));
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
                .roleSettings(RoleConfigs.SINK, role("sink", Map.of()))
                .striperApplicationId(APPLICATION_ID)) {
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
                .contains("User:intruder", "on topic " + TOPICS.checkpoints() + ", and the principal lacks Write",
                        "docs/SECURITY.md")
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
                        config.toString(), "--server-index", "0", "--data-dir",
                        tmp.resolve("intruder-store").toString()));

        assertThat(refused.exitCode()).as("%s", refused).isEqualTo(ExitCode.NOT_AUTHORIZED);
        assertThat(refused.stderr()).as("%s", refused)
                .contains("User:intruder", "topic(s) " + TOPICS.stripes(), "docs/SECURITY.md");
    }

    // ------------------------------------------------------------------ the ACLs of each role (docs/SECURITY.md)

    /**
     * The ACLs the {@code kafka-acls.sh --add} commands of docs/SECURITY.md's "ACLs per role" grant, by
     * principal, so that the test grants exactly what the guide tells an operator to.
     */
    static Map<String, List<AclBinding>> documentedAcls() {
        Path guide = Path.of(System.getProperty("checkstripe.root", ".."), "docs", "SECURITY.md");
        String text;
        try {
            text = Files.readString(guide);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + guide, e);
        }
        int section = text.indexOf("### ACLs per role");
        int from = text.indexOf("```bash", section);
        String block = text.substring(from, text.indexOf("```\n", from + 7)).replace("\\\n", " ");
        Map<String, List<AclBinding>> acls = new LinkedHashMap<>();
        block.lines().map(String::trim).filter(line -> line.startsWith("kafka-acls.sh")).forEach(line -> {
            List<String> words = List.of(line.split("\\s+"));
            String principal = null;
            PatternType pattern = PatternType.LITERAL;
            List<AclOperation> operations = new ArrayList<>();
            List<ResourcePattern> resources = new ArrayList<>();
            List<String[]> named = new ArrayList<>();
            for (int i = 0; i < words.size(); i++) {
                switch (words.get(i)) {
                    case "--allow-principal" -> principal = words.get(++i);
                    case "--operation" -> operations.add(SecurityUtils.operation(words.get(++i)));
                    case "--resource-pattern-type" ->
                            pattern = PatternType.fromString(words.get(++i).toUpperCase(Locale.ROOT));
                    case "--topic", "--group", "--transactional-id" -> named.add(new String[] {words.get(i),
                            words.get(++i)});
                    default -> {
                        // the bootstrap options, --add
                    }
                }
            }
            for (String[] resource : named) {
                ResourceType type = switch (resource[0]) {
                    case "--topic" -> ResourceType.TOPIC;
                    case "--group" -> ResourceType.GROUP;
                    default -> ResourceType.TRANSACTIONAL_ID;
                };
                resources.add(new ResourcePattern(type, resource[1], pattern));
            }
            for (ResourcePattern resource : resources) {
                for (AclOperation operation : operations) {
                    acls.computeIfAbsent(principal, p -> new ArrayList<>()).add(new AclBinding(resource,
                            new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
                }
            }
        });
        assertThat(acls).as("ACLs of %s", guide).containsOnlyKeys("User:publisher", "User:striper", "User:sink");
        return acls;
    }

    /** {@code acls} granted to {@code user} instead, without the ones {@code leftOut} accepts. */
    private static List<AclBinding> as(String user, List<AclBinding> acls, Predicate<AclBinding> leftOut) {
        List<AclBinding> kept = acls.stream().filter(leftOut.negate()).map(acl -> new AclBinding(acl.pattern(),
                new AccessControlEntry("User:" + user, "*", acl.entry().operation(), AclPermissionType.ALLOW)))
                .toList();
        assertThat(kept).as("one ACL left out of %s", user).hasSize(acls.size() - 1);
        return kept;
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
