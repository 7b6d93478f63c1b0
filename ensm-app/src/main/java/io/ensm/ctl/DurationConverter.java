package io.ensm.ctl;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses positive durations written as {@code 90s}, {@code 10m}, {@code 1h}, {@code 1h30m},
 * {@code 500ms}, {@code 2d} or ISO-8601 ({@code PT10M}).
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern SHORT = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        String text = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        Duration result;
        try {
            result = SHORT.matcher(text).matches() ? parseShort(text) : Duration.parse(text.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException | ArithmeticException e) {
            throw invalid(value);
        }
        if (result.isNegative() || result.isZero()) {
            throw new TypeConversionException("'" + value + "' is not a positive duration");
        }
        return result;
    }

    private static Duration parseShort(String text) {
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        return total;
    }

    private static TypeConversionException invalid(String value) {
        return new TypeConversionException("'" + value
                + "' is not a duration (use e.g. 90s, 10m, 1h, 1h30m or ISO-8601 such as PT10M)");
    }
}
