package io.checkstripe.sink.store;

/**
 * The application-id rule, {@code [A-Za-z0-9._-]{1,128}} and never {@code .} or {@code ..}, checked again by
 * the store because application ids become directory names.
 *
 * <p>The same rule lives in {@code io.checkstripe.schemas.AppId}; the store keeps this private copy only
 * because that module brings Avro and Kafka with it, which the store must not depend on. Stateless and
 * thread-safe.
 */
final class AppIds {

    static final int MAX_LENGTH = 128;

    private static final int SHOWN_CHARS = 64;

    private AppIds() {
    }

    /** Returns {@code appId} unchanged, or throws {@link IllegalArgumentException} naming it and the rule. */
    static String validate(String appId) {
        if (!isValid(appId)) {
            throw new IllegalArgumentException("invalid application id " + describe(appId)
                    + ": must match [A-Za-z0-9._-]{1," + MAX_LENGTH + "}, not \".\" or \"..\"");
        }
        return appId;
    }

    static boolean isValid(String appId) {
        if (appId == null || appId.isEmpty() || appId.length() > MAX_LENGTH || appId.equals(".") || appId.equals("..")) {
            return false;
        }
        for (int i = 0; i < appId.length(); i++) {
            char c = appId.charAt(i);
            boolean allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** Quotes an id for a message: printable ASCII as is, anything else escaped, long ids cut short. */
    static String describe(String appId) {
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
        sb.append(appId.length() > shown ? "...\"" : "\"");
        if (appId.length() > shown || appId.isEmpty()) {
            sb.append(" (").append(appId.length()).append(" characters)");
        }
        return sb.toString();
    }
}
