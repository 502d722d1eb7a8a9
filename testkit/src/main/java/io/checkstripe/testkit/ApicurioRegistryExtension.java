package io.checkstripe.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving a test class one real {@link ApicurioRegistry}, started before the
 * first test and stopped after the last:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();
 * ... REGISTRY.confluentApiUrl() ...
 * }</pre>
 *
 * <p>Register it on a {@code static} field; {@code @Nested} classes share the registry. Tests
 * share its subjects, so each should use its own subject names. Thread-safe once started.
 */
public final class ApicurioRegistryExtension implements BeforeAllCallback, AfterAllCallback {

    private volatile ApicurioRegistry registry;
    private volatile String ownerId;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (registry == null) {
            registry = ApicurioRegistry.start();
            ownerId = context.getUniqueId();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (registry != null && context.getUniqueId().equals(ownerId)) {
            try {
                registry.close();
            } finally {
                registry = null;
                ownerId = null;
            }
        }
    }

    /** The running registry. */
    public ApicurioRegistry registry() {
        ApicurioRegistry running = registry;
        if (running == null) {
            throw new IllegalStateException("the registry is not running: register ApicurioRegistryExtension "
                    + "on a static field with @RegisterExtension and use it inside tests");
        }
        return running;
    }

    /** See {@link ApicurioRegistry#confluentApiUrl()}. */
    public String confluentApiUrl() {
        return registry().confluentApiUrl();
    }
}
