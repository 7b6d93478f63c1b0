package io.ensm.core.token;

import io.grpc.Metadata;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The gRPC metadata that carries NSM path tokens: the caller's token and its expiry
 * (RFC 3339 with fractional seconds, Go's RFC3339Nano), and the registry's JSON path.
 */
public final class TokenMetadata {
    public static final String TOKEN_KEY = "nsm-client-token";
    public static final String EXPIRES_KEY = "nsm-client-token-expires";
    public static final String PATH_KEY = "path";

    public static final Metadata.Key<String> TOKEN = Metadata.Key.of(TOKEN_KEY, Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> EXPIRES = Metadata.Key.of(EXPIRES_KEY, Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> PATH = Metadata.Key.of(PATH_KEY, Metadata.ASCII_STRING_MARSHALLER);

    private TokenMetadata() {}

    public static String formatExpires(Instant expires) {
        return DateTimeFormatter.ISO_INSTANT.format(expires);
    }

    /** @throws IllegalArgumentException naming the key when the text is not an RFC 3339 time */
    public static Instant parseExpires(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("metadata " + EXPIRES_KEY + " '" + abbreviate(text) + "' is not an RFC 3339 time");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
