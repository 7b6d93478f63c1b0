package io.ensm.ctl;

import io.ensm.core.spi.Durations;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

/**
 * Parses positive durations in the grammar of ensm's settings ({@link Durations}): {@code 90s},
 * {@code 10m}, {@code 1h}, {@code 500ms}, {@code 2d} or ISO-8601 ({@code PT10M}).
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        try {
            return Durations.positive(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
