package io.checkstripe.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry held in memory, for tests ({@code mock://scope}) and for running without
 * any registry server (the embedded default).
 *
 * <p><b>Ids are derived from the schema, not counted.</b> The id of a schema is the low 31 bits
 * of its Avro parsing fingerprint, {@code (int) (SchemaNormalization.parsingFingerprint64(schema)
 * & 0x7fffffff)}. Two schemas with the same parsing canonical form (they differ only in docs,
 * defaults, aliases or properties) are the same writer schema and get the same id; two with
 * different forms that hit the same id are refused with a {@link SchemaRegistryException}
 * naming both, never silently confused.
 *
 * <p><b>The embedded default</b> ({@link #embedded()}, selected by no URL or {@code embedded:})
 * is pre-loaded with every schema checkstripe writes ({@link CheckstripeSchemas#written()}) and
 * with the earlier versions records may still carry ({@link CheckstripeSchemas#previous()}).
 * Because ids come from the schemas themselves, separate OS processes that each use their own
 * embedded registry agree on every id without talking to each other: a record one process
 * serializes, another process deserializes. Pre-loaded schemas count as registered under every
 * subject, so lookups without auto-registration find them too. The limit: a schema a process
 * registers that is not pre-loaded is known to that process only.
 *
 * <p><b>{@code mock://scope}</b> registries start empty; every scope is its own registry, and
 * within one JVM the same scope is always the same registry ({@link #forScope(String)}), as
 * Confluent's mock registry behaves. No compatibility rules are enforced.
 *
 * <p>Thread-safe.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

    private static final Logger log = LoggerFactory.getLogger(InMemorySchemaRegistry.class);

    private static final ConcurrentHashMap<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final String name;
    private final ConcurrentHashMap<Integer, Registered> schemas = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Integer>> subjects = new ConcurrentHashMap<>();
    private final Set<Integer> preloaded = ConcurrentHashMap.newKeySet();

    private InMemorySchemaRegistry(String name, Collection<Schema> preload) {
        this.name = name;
        for (Schema schema : preload) {
            preloaded.add(remember(schema));
        }
    }

    /** A schema with its parsing canonical form, computed once. */
    private record Registered(Schema schema, String parsingForm) {
    }

    /** Holder so the shared embedded registry is built on first use. */
    private static final class Embedded {
        static final InMemorySchemaRegistry INSTANCE = newEmbedded();
    }

    /** The JVM's shared embedded registry, pre-loaded with every schema checkstripe writes or wrote. */
    public static InMemorySchemaRegistry embedded() {
        return Embedded.INSTANCE;
    }

    /**
     * A new embedded registry, pre-loaded like {@link #embedded()} but sharing nothing with it:
     * what another process starting up would have.
     */
    public static InMemorySchemaRegistry newEmbedded() {
        List<Schema> known = new ArrayList<>(CheckstripeSchemas.written());
        known.addAll(CheckstripeSchemas.previous());
        return new InMemorySchemaRegistry(SchemaRegistries.EMBEDDED_URL, known);
    }

    /**
     * The registry of {@code mock://scope}: empty at first use, then the same instance for
     * every caller in this JVM.
     *
     * @throws IllegalArgumentException when the scope is null or empty
     */
    public static InMemorySchemaRegistry forScope(String scope) {
        if (scope == null || scope.isEmpty()) {
            throw new IllegalArgumentException("mock schema registry scope must not be empty (use mock://NAME)");
        }
        return SCOPES.computeIfAbsent(scope,
                s -> new InMemorySchemaRegistry(SchemaRegistries.MOCK_PREFIX + s, Set.of()));
    }

    /** The id every in-memory registry gives {@code schema}: the low 31 bits of its parsing fingerprint. */
    public static int idFor(Schema schema) {
        return (int) (SchemaNormalization.parsingFingerprint64(schema) & 0x7fffffffL);
    }

    @Override
    public int register(String subject, Schema schema) {
        checkSubject(subject);
        int id = remember(schema);
        if (subjects.computeIfAbsent(subject, s -> ConcurrentHashMap.newKeySet()).add(id)) {
            log.debug("{}: registered schema id {} under subject {}", name, id, subject);
        }
        return id;
    }

    @Override
    public int idOf(String subject, Schema schema) {
        checkSubject(subject);
        int id = idFor(schema);
        Registered known = schemas.get(id);
        boolean sameSchema = known != null && known.parsingForm().equals(SchemaNormalization.toParsingForm(schema));
        if (sameSchema && preloaded.contains(id)) {
            return id;
        }
        Set<Integer> ids = subjects.get(subject);
        if (ids == null) {
            throw new SchemaRegistryException(name + ": subject \"" + subject + "\" not found", 404,
                    SchemaRegistryException.SUBJECT_NOT_FOUND, null);
        }
        if (!sameSchema || !ids.contains(id)) {
            throw new SchemaRegistryException(name + ": schema " + schema.getFullName()
                    + " is not registered under subject \"" + subject + "\"", 404,
                    SchemaRegistryException.SCHEMA_NOT_FOUND, null);
        }
        return id;
    }

    @Override
    public Schema byId(int id) {
        Registered known = schemas.get(id);
        if (known == null) {
            throw new SchemaRegistryException(name + ": schema id " + id + " not found", 404,
                    SchemaRegistryException.SCHEMA_NOT_FOUND, null);
        }
        return known.schema();
    }

    /** Stores the schema under its derived id, refusing a different schema with the same id. */
    private int remember(Schema schema) {
        if (schema == null) {
            throw new IllegalArgumentException("schema must not be null");
        }
        int id = idFor(schema);
        String form = SchemaNormalization.toParsingForm(schema);
        Registered known = schemas.putIfAbsent(id, new Registered(schema, form));
        if (known != null && !known.parsingForm().equals(form)) {
            throw new SchemaRegistryException(name + ": schema id " + id + " collision: " + form
                    + " has the same 31-bit fingerprint as the registered " + known.parsingForm(),
                    SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE, null);
        }
        return id;
    }

    private static void checkSubject(String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
    }

    /** {@code embedded:} or {@code mock://scope}. */
    @Override
    public String toString() {
        return name;
    }
}
