package io.ensm.core.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of ensm, the one its Spring configuration keys take: a whole number
 * with one unit ({@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code 2d}; units in any
 * case) or ISO-8601 ({@code PT1M30S}). A number without a unit is refused: Spring would read it
 * as milliseconds where an operator may have meant seconds.
 */
public final class Durations {
    /** For messages: what a duration looks like. */
    public static final String FORMS = "e.g. 500ms, 30s, 10m, 1h, 2d or ISO-8601 such as PT1M30S";

    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,18})(ns|us|ms|s|m|h|d)");
    private static final Pattern BARE = Pattern.compile("\\d+");

    private Durations() {}

    /** Parses {@code text}; IllegalArgumentException quoting it and saying what was expected. */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.strip();
        Matcher m = SIMPLE.matcher(t.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ns" -> Duration.ofNanos(n);
                    case "us" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            if (t.length() > 1 && (t.charAt(0) == 'P' || t.charAt(0) == 'p')) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            // reported below
        }
        if (BARE.matcher(t).matches()) {
            throw new IllegalArgumentException("'" + text + "' has no unit; write " + t + "s, " + t + "ms or " + t + "m");
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration (" + FORMS
                + "; a sum such as 1h30m is written PT1H30M)");
    }

    /** Parses {@code text} and refuses zero and negative durations. */
    public static Duration positive(String text) {
        Duration d = parse(text);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("'" + text + "' is not a positive duration");
        }
        return d;
    }

    /** The shortest of the simple forms that states {@code d} exactly, for messages and defaults. */
    public static String format(Duration d) {
        if (d.isZero() || d.getNano() % 1_000_000 != 0 || d.isNegative()) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }
}
