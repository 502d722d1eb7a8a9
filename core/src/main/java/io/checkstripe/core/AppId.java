package io.checkstripe.core;

/**
 * An application id: 1 to 128 characters of {@code [A-Za-z0-9._-]}, never {@code .} or {@code ..}.
 *
 * <p>Application ids become directory names in every backup store and the first part of the
 * {@code appId/checkpointId} record key, so the rule admits only characters that are safe in a
 * path segment on every file system and cannot escape the store's directory. The check is
 * ASCII-only on purpose: no Unicode normalisation question can arise.
 *
 * <p>Use {@link #validate(String)} where a plain string travels (Avro fields, CLI options) and
 * this record where the type should carry the proof. Immutable and thread-safe.
 *
 * @param value the validated id
 */
public record AppId(String value) {

    /** Longest id accepted. */
    public static final int MAX_LENGTH = 128;

    /** The rule, as error messages state it. */
    public static final String RULE = "[A-Za-z0-9._-]{1," + MAX_LENGTH + "}, not \".\" or \"..\"";

    /** Shown characters of a rejected id before it is cut short in a message. */
    private static final int SHOWN_CHARS = 64;

    /**
     * Validates the id.
     *
     * @throws IllegalArgumentException naming the bad id and the rule
     */
    public AppId {
        validate(value);
    }

    /** Same as {@code new AppId(value)}, reading better at call sites. */
    public static AppId of(String value) {
        return new AppId(value);
    }

    /**
     * Checks an application id.
     *
     * @param appId the id to check
     * @return {@code appId}, unchanged
     * @throws IllegalArgumentException naming the bad id and the rule
     */
    public static String validate(String appId) {
        if (!isValid(appId)) {
            throw new IllegalArgumentException("invalid application id " + describe(appId) + ": must match " + RULE);
        }
        return appId;
    }

    /** Whether {@code appId} is a valid application id; {@code null} is not. */
    public static boolean isValid(String appId) {
        if (appId == null || appId.isEmpty() || appId.length() > MAX_LENGTH
                || appId.equals(".") || appId.equals("..")) {
            return false;
        }
        for (int i = 0; i < appId.length(); i++) {
            if (!allowed(appId.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean allowed(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
    }

    /**
     * Quotes an id, valid or not, for a message: printable ASCII as is, anything else as a Java
     * escape, ids longer than 64 characters cut short with their length given.
     */
    public static String describe(String appId) {
        if (appId == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        int shown = Math.min(appId.length(), SHOWN_CHARS);
        for (int i = 0; i < shown; i++) {
            char c = appId.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        if (appId.length() > shown) {
            sb.append("...");
        }
        sb.append('"');
        if (appId.length() > shown || appId.isEmpty()) {
            sb.append(" (").append(appId.length()).append(" characters)");
        }
        return sb.toString();
    }

    /** The id itself, so that the record can stand where a string is expected. */
    @Override
    public String toString() {
        return value;
    }
}
