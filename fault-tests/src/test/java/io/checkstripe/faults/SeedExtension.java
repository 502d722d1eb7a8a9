package io.checkstripe.faults;

import java.security.SecureRandom;
import java.util.Optional;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a test method a {@link Seed} parameter: the value of the system property {@value #PROPERTY} when set
 * (to replay a failure), a fresh random one otherwise. The seed is logged when the test starts and again when
 * it fails, so that every failing run can be repeated with the same random choices.
 */
final class SeedExtension implements ParameterResolver, TestWatcher {

    /** System property that fixes the seed of every scenario, e.g. {@code -Dcheckstripe.faults.seed=42}. */
    static final String PROPERTY = "checkstripe.faults.seed";

    private static final Logger log = LoggerFactory.getLogger(SeedExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SeedExtension.class);
    private static final SecureRandom FRESH = new SecureRandom();

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Seed.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        String fixed = System.getProperty(PROPERTY);
        Seed seed = new Seed(fixed == null || fixed.isBlank() ? FRESH.nextLong() : Long.parseLong(fixed.strip()));
        context.getStore(NAMESPACE).put("seed", seed);
        log.info("{}: {}", context.getDisplayName(), seed);
        return seed;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Optional.ofNullable(context.getStore(NAMESPACE).get("seed", Seed.class))
                .ifPresent(seed -> log.error("{} FAILED with {}", context.getDisplayName(), seed));
    }
}
