package io.checkstripe.schemas;

import org.apache.avro.Schema;

/**
 * The part of a Confluent-compatible schema registry that the wire format needs: ids for
 * writer schemas under a subject, and schemas for ids.
 *
 * <p>Implementations: {@link HttpSchemaRegistry} (a real registry over REST) and
 * {@link InMemorySchemaRegistry} ({@code mock://} scopes and the embedded default). Choose one
 * from a URL with {@link SchemaRegistries#forUrl(String)}. Implementations are thread-safe.
 */
public interface SchemaRegistry {

    /**
     * Registers {@code schema} under {@code subject}, or finds its existing registration.
     * Idempotent: registering the same schema again returns the same id.
     *
     * @return the schema's id
     * @throws SchemaRegistryException when the registry refuses the schema (invalid, or
     *                                 incompatible with the subject's earlier versions) or
     *                                 cannot be reached
     */
    int register(String subject, Schema schema);

    /**
     * Looks up the id of {@code schema} under {@code subject} without registering it.
     *
     * @throws SchemaRegistryException with {@link SchemaRegistryException#SUBJECT_NOT_FOUND} or
     *                                 {@link SchemaRegistryException#SCHEMA_NOT_FOUND} when the
     *                                 schema is not registered under the subject
     */
    int idOf(String subject, Schema schema);

    /**
     * The schema with id {@code id}.
     *
     * @throws SchemaRegistryException with {@link SchemaRegistryException#SCHEMA_NOT_FOUND}
     *                                 when no schema has that id
     */
    Schema byId(int id);
}
