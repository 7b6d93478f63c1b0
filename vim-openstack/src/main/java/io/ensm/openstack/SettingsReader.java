package io.ensm.openstack;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads a flat settings map; every failure names the key. */
final class SettingsReader {
    private final Map<String, String> settings;

    SettingsReader(Map<String, String> settings, Set<String> known) {
        this.settings = settings;
        Set<String> unknown = new TreeSet<>(settings.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            String key = unknown.iterator().next();
            throw new IllegalArgumentException(key + ": unknown setting (known: " + new TreeSet<>(known) + ")");
        }
    }

    /** The value, or null when absent or blank. */
    String optional(String key) {
        String v = settings.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    String required(String key, String what) {
        String v = optional(key);
        if (v == null) {
            throw new IllegalArgumentException(key + ": missing (" + what + ")");
        }
        return v;
    }

    String orDefault(String key, String fallback) {
        String v = optional(key);
        return v == null ? fallback : v;
    }

    boolean has(String key) {
        return optional(key) != null;
    }

    /** "30s", "5m", "1h", "250ms" or an ISO-8601 duration. */
    Duration duration(String key, Duration fallback) {
        String v = optional(key);
        if (v == null) {
            return fallback;
        }
        Duration d = parseDuration(v);
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a positive duration (e.g. 30s, 5m, 250ms)");
        }
        return d;
    }

    private static Duration parseDuration(String v) {
        String t = v.toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                return Duration.parse(v);
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> null;
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            return null;
        }
    }
}
