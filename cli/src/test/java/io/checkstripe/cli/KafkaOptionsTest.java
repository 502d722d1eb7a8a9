package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The principal a refusal names comes from the SASL user of {@code --command-config}, and only its name. */
class KafkaOptionsTest {

    @TempDir
    Path tmp;

    @Test
    void thePrincipalIsTheSaslUserOfTheCommandConfig() throws IOException {
        KafkaOptions options = new KafkaOptions();
        options.commandConfig = Files.writeString(tmp.resolve("publisher.properties"), "security.protocol=SASL_SSL\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"publisher\" password=\"s3cret\";\n");

        assertThat(options.principal()).hasValue("User:publisher");
    }

    @Test
    void withoutASaslUserThereIsNoPrincipalToName() throws IOException {
        KafkaOptions options = new KafkaOptions();
        assertThat(options.principal()).as("no --command-config").isEmpty();

        options.commandConfig = Files.writeString(tmp.resolve("tls.properties"), "security.protocol=SSL\n");
        assertThat(options.principal()).isEmpty();

        options.commandConfig = tmp.resolve("missing.properties");
        assertThat(options.principal()).as("a missing file is the command's usage error, not this").isEmpty();
    }
}
