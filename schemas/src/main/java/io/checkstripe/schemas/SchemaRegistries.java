package io.checkstripe.schemas;

/**
 * Chooses the {@link SchemaRegistry} a URL names, the one way every checkstripe program turns
 * {@code --schema-registry} or {@code schema.registry.url} into a registry.
 *
 * <ul>
 *   <li>no URL ({@code null} or blank) or {@value #EMBEDDED_URL}: the JVM's shared embedded
 *       registry ({@link InMemorySchemaRegistry#embedded()}), on which separate processes agree
 *       about every checkstripe schema's id without talking to each other;</li>
 *   <li>{@code mock://scope}: the in-memory registry of that scope
 *       ({@link InMemorySchemaRegistry#forScope(String)});</li>
 *   <li>{@code http://...} or {@code https://...}, possibly several comma-separated: a
 *       {@link HttpSchemaRegistry}.</li>
 * </ul>
 */
public final class SchemaRegistries {

    /** URL of the embedded default registry. */
    public static final String EMBEDDED_URL = "embedded:";

    /** Prefix of in-memory registry scopes. */
    public static final String MOCK_PREFIX = "mock://";

    private SchemaRegistries() {
    }

    /**
     * The registry {@code urlOrNull} names, with the default HTTP settings.
     *
     * @throws IllegalArgumentException naming the URL when it has none of the accepted forms
     */
    public static SchemaRegistry forUrl(String urlOrNull) {
        return forUrl(urlOrNull, HttpSchemaRegistry.Settings.DEFAULTS);
    }

    /**
     * The registry {@code urlOrNull} names; {@code httpSettings} apply to an HTTP registry.
     *
     * @throws IllegalArgumentException naming the URL (without user info) when it has none of the
     *                                  accepted forms
     */
    public static SchemaRegistry forUrl(String urlOrNull, HttpSchemaRegistry.Settings httpSettings) {
        String url = urlOrNull == null ? "" : urlOrNull.strip();
        if (url.isEmpty() || url.equals(EMBEDDED_URL)) {
            return InMemorySchemaRegistry.embedded();
        }
        if (url.startsWith(MOCK_PREFIX)) {
            return InMemorySchemaRegistry.forScope(url.substring(MOCK_PREFIX.length()));
        }
        if (url.startsWith("http://") || url.startsWith("https://")) {
            return new HttpSchemaRegistry(url, httpSettings);
        }
        throw new IllegalArgumentException("invalid schema registry URL \"" + HttpSchemaRegistry.redact(url)
                + "\": expected " + EMBEDDED_URL + ", " + MOCK_PREFIX + "SCOPE or http(s)://host:port[/path]");
    }
}
