package io.checkstripe.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.common.config.types.Password;

/**
 * A user name and password for HTTP basic authentication to a schema registry, as Confluent's
 * clients take them from {@code basic.auth.user.info} or from the user info of a registry URL.
 *
 * <p>The password is a Kafka {@link Password}, so {@link #toString()}, a logged configuration or
 * an error message never shows it; only {@link #authorizationHeader()} reveals it, to the
 * registry. Immutable and thread-safe.
 *
 * @param user     the user name, never empty and without ':'
 * @param password the password, may be empty
 */
public record BasicCredentials(String user, Password password) {

    public BasicCredentials {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("the user name of basic credentials must not be empty");
        }
        if (user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("the user name of basic credentials must not contain ':'");
        }
        if (password == null) {
            throw new IllegalArgumentException("the password of basic credentials of user " + user
                    + " must not be null");
        }
    }

    /**
     * Credentials written as {@code user:password} (the password is everything after the first
     * ':'), the form of {@code basic.auth.user.info}.
     *
     * @throws IllegalArgumentException without quoting the text, when it has no ':' or no user
     */
    public static BasicCredentials parse(String userInfo) {
        int colon = userInfo == null ? -1 : userInfo.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected user:password (no ':' found)");
        }
        if (colon == 0) {
            throw new IllegalArgumentException("expected user:password (the user name is empty)");
        }
        return new BasicCredentials(userInfo.substring(0, colon), new Password(userInfo.substring(colon + 1)));
    }

    /** The value of the {@code Authorization} header: {@code Basic base64(user:password)}. */
    public String authorizationHeader() {
        byte[] userPass = (user + ":" + password.value()).getBytes(StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(userPass);
    }
}
