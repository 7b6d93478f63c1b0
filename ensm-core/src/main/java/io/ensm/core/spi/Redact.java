package io.ensm.core.spi;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Setting values as a backend may quote them in a message about a bad setting, with whatever
 * could be a credential left out: an operator sometimes puts a password into a URL or pastes it
 * where a file name or a variable name belongs, and the message about that mistake must not
 * spread the password into logs.
 */
public final class Redact {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private Redact() {}

    /** True when the text carries a user or password before a host ({@code scheme://user:pw@host}). */
    public static boolean hasUserInfo(String url) {
        return url != null && url.indexOf('@') >= 0;
    }

    /**
     * The URL with everything between the scheme and the last '@' replaced by {@code ***}; works
     * on text that is not a valid URL too. Text without '@' is returned as it is.
     */
    public static String url(String url) {
        if (url == null) {
            return "null";
        }
        int at = url.lastIndexOf('@');
        if (at < 0) {
            return url;
        }
        int scheme = url.indexOf("://");
        int from = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return url.substring(0, from) + "***" + url.substring(at);
    }

    /**
     * A file setting that holds a secret, for a message: an absolute path is shown; anything else
     * is not, since it may be the secret itself pasted where its file belongs.
     */
    public static String secretFile(String configured) {
        if (configured != null && Path.of(configured.strip()).isAbsolute()) {
            return configured.strip();
        }
        return "(not shown: not an absolute path, it may be the secret itself)";
    }

    /** An environment variable name for a message; a value that is not a variable name is not shown. */
    public static String envName(String configured) {
        return configured != null && ENV_NAME.matcher(configured).matches() ? configured
                : "(not shown: not a variable name, it may be the secret itself)";
    }

    /**
     * Why a secret's file could not be read, without its path (the file system's messages start
     * with the path, which {@link #secretFile} may have to hide).
     */
    public static String readFailure(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> "no such file";
            case AccessDeniedException a -> "permission denied";
            case FileSystemException f -> f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }
}
