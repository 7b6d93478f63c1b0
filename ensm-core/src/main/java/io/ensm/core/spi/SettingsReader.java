package io.ensm.core.spi;

import io.ensm.core.model.PlanKind;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads the flat settings of one backend, endpoint source or forwarder, the same way in every
 * module: typed getters that name the key in every error ({@link InvalidSettingException}), a
 * blank value taken as absent, one duration grammar ({@link Durations}), and a final
 * {@link #done()} that refuses every key no getter asked for, with the nearest known key as a
 * hint. Values never appear in {@link #toString()}: some are secrets.
 */
public final class SettingsReader {
    /** The plans a backend offers when its settings name none. */
    public static final Set<PlanKind> DEFAULT_PLANS = Collections.unmodifiableSet(EnumSet.of(PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN));
    /** As {@link Redact#envName} checks it. */
    private static final String ENV_NAME = "[A-Za-z_][A-Za-z0-9_]{0,127}";

    private final String subject;
    private final Map<String, String> values;
    private final Set<String> known = new TreeSet<>();

    /**
     * @param subject what the settings belong to, for messages: "endpoint 'box-1'", "the bridge forwarder"
     * @param values  the settings as configured
     */
    public SettingsReader(String subject, Map<String, String> values) {
        this.subject = subject;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public String subject() {
        return subject;
    }

    /** The settings as configured, for a provider that hands them on (an endpoint source to its endpoints). */
    public Map<String, String> values() {
        return values;
    }

    /** True when the key is set to something other than blanks. */
    public boolean has(String key) {
        return optional(key).isPresent();
    }

    /** The stripped value; empty when absent or blank. */
    public Optional<String> optional(String key) {
        known.add(key);
        String v = values.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    public String string(String key, String fallback) {
        return optional(key).orElse(fallback);
    }

    /** @param what what the setting is, for the message when it is missing */
    public String required(String key, String what) {
        return optional(key).orElseThrow(() -> invalid(key, "missing (" + what + ")"));
    }

    /** A whole number in {@code min..max}; {@code fallback} when absent. */
    public int integer(String key, int min, int max, int fallback) {
        return optional(key).map(v -> integer(key, v, min, max)).orElse(fallback);
    }

    /** A required whole number in {@code min..max}. */
    public int integer(String key, int min, int max, String what) {
        return integer(key, required(key, what), min, max);
    }

    private int integer(String key, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(key, "'" + v + "' is not a number in " + min + ".." + max);
    }

    /** A positive duration ({@link Durations}); {@code fallback} when absent. */
    public Duration duration(String key, Duration fallback) {
        Optional<String> v = optional(key);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            return Durations.positive(v.get());
        } catch (IllegalArgumentException e) {
            throw invalid(key, e.getMessage());
        }
    }

    /** A duration within {@code min..max}; {@code fallback} when absent. */
    public Duration duration(String key, Duration fallback, Duration min, Duration max) {
        Duration d = duration(key, fallback);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw invalid(key, values.get(key).strip() + " is outside " + Durations.format(min) + ".." + Durations.format(max));
        }
        return d;
    }

    /** {@code true} or {@code false}; {@code fallback} when absent. */
    public boolean bool(String key, boolean fallback) {
        Optional<String> v = optional(key);
        if (v.isEmpty()) {
            return fallback;
        }
        return switch (v.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, "'" + v.get() + "' is not true or false");
        };
    }

    /**
     * One of an enum's constants, written in lower case with '-' for '_' ({@code uplink-mode: access}
     * for {@code ACCESS}); {@code fallback} when absent.
     */
    public <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
        Optional<String> v = optional(key);
        if (v.isEmpty()) {
            return fallback;
        }
        for (E e : type.getEnumConstants()) {
            if (settingName(e).equals(v.get().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw invalid(key, "'" + v.get() + "' is not " + or(Arrays.stream(type.getEnumConstants()).map(SettingsReader::settingName).toList()));
    }

    /** A comma-separated list, each item stripped; empty when absent; an empty item is refused. */
    public List<String> list(String key) {
        Optional<String> v = optional(key);
        if (v.isEmpty()) {
            return List.of();
        }
        List<String> items = new ArrayList<>();
        for (String item : v.get().split(",", -1)) {
            if (item.isBlank()) {
                throw invalid(key, "'" + v.get() + "' has an empty item");
            }
            items.add(item.strip());
        }
        return List.copyOf(items);
    }

    /** A comma-separated list of {@code name=value} pairs, in order; empty when absent. */
    public Map<String, String> pairs(String key) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String item : list(key)) {
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw invalid(key, "'" + item + "' is not name=value");
            }
            pairs.put(item.substring(0, eq).strip(), item.substring(eq + 1).strip());
        }
        return Collections.unmodifiableMap(pairs);
    }

    /**
     * The plans a backend offers ({@code forwarder-vxlan}, {@code fabric-vlan}, {@code device-vxlan}),
     * each one of {@code served}; {@link #DEFAULT_PLANS} when absent.
     */
    public Set<PlanKind> plans(String key, Set<PlanKind> served) {
        List<String> names = list(key);
        if (names.isEmpty()) {
            return DEFAULT_PLANS;
        }
        Set<PlanKind> plans = EnumSet.noneOf(PlanKind.class);
        String servedNames = served.stream().sorted().map(SettingsReader::settingName).collect(Collectors.joining(", "));
        for (String name : names) {
            PlanKind plan = Arrays.stream(PlanKind.values()).filter(p -> settingName(p).equals(name.toLowerCase(Locale.ROOT)))
                    .findFirst().orElseThrow(() -> invalid(key, "unknown plan '" + name + "' (known: " + servedNames + ")"));
            if (!served.contains(plan)) {
                throw invalid(key, "plan '" + name + "' is not served by this backend (it serves " + servedNames + ")");
            }
            plans.add(plan);
        }
        return Collections.unmodifiableSet(plans);
    }

    /** A required VLAN range ({@code 100-199} or one id). */
    public VlanRange vlans(String key, String what) {
        return parseVlans(key, required(key, what));
    }

    /** A VLAN range when set. */
    public Optional<VlanRange> optionalVlans(String key) {
        return optional(key).map(v -> parseVlans(key, v));
    }

    private VlanRange parseVlans(String key, String v) {
        try {
            return VlanRange.parse(v);
        } catch (IllegalArgumentException e) {
            throw invalid(key, e.getMessage(), e);
        }
    }

    /**
     * A secret from the first line of the file {@code fileKey} names or from the environment
     * variable {@code envKey} names (null: the setting has no variable form); empty when neither
     * is set. Messages never quote what may be the secret pasted in place of a path or a name.
     */
    public Optional<Secret> secret(String fileKey, String envKey, Function<String, String> environment) {
        Optional<String> file = optional(fileKey);
        Optional<String> env = envKey == null ? Optional.empty() : optional(envKey);
        if (file.isPresent() && env.isPresent()) {
            throw invalid(fileKey, envKey + " is set too; give one of them");
        }
        if (file.isPresent()) {
            try {
                return Optional.of(Secret.fromFile(Path.of(file.get())));
            } catch (Secret.EmptyFileException e) {
                throw invalid(fileKey, Redact.secretFile(file.get()) + " is empty");
            } catch (IOException | RuntimeException e) {
                // no cause: the file system's message holds the path, which may be the secret pasted in
                throw invalid(fileKey, "cannot read " + Redact.secretFile(file.get()) + " ("
                        + (e instanceof IOException io ? Redact.readFailure(io) : "not a path") + ")");
            }
        }
        if (env.isPresent()) {
            String name = env.get();
            if (!name.matches(ENV_NAME)) {
                throw invalid(envKey, "environment variable " + Redact.envName(name));
            }
            String value = environment.apply(name);
            if (value == null || value.isEmpty()) {
                throw invalid(envKey, "environment variable " + name + " is not set or empty");
            }
            return Optional.of(Secret.of(value));
        }
        return Optional.empty();
    }

    /** Marks keys as known although this configuration does not read them (they are valid in another). */
    public void accept(String... keys) {
        known.addAll(Arrays.asList(keys));
    }

    /** The keys read or accepted so far. */
    public Set<String> known() {
        return Collections.unmodifiableSet(known);
    }

    /**
     * Refuses every setting no getter asked for: a misspelt key must not pass for a default. Call
     * it after reading every setting and before anything is started.
     */
    public void done() {
        List<String> unknown = values.keySet().stream().filter(k -> !known.contains(k)).sorted().toList();
        if (unknown.isEmpty()) {
            return;
        }
        String key = unknown.getFirst();
        StringBuilder problem = new StringBuilder("unknown setting of ").append(subject);
        nearest(key).ifPresent(n -> problem.append("; did you mean '").append(n).append("'?"));
        if (unknown.size() > 1) {
            problem.append(" (also unknown: ").append(String.join(", ", unknown.subList(1, unknown.size()))).append(")");
        }
        problem.append(" (known: ").append(String.join(", ", known)).append(")");
        throw new InvalidSettingException(key, problem.toString());
    }

    /** An error about {@code key}, for checks only the provider can make. */
    public InvalidSettingException invalid(String key, String problem) {
        return new InvalidSettingException(key, problem);
    }

    public InvalidSettingException invalid(String key, String problem, Throwable cause) {
        return new InvalidSettingException(key, problem, cause);
    }

    /** The known key closest to {@code key}, when close enough to be a slip of the keyboard. */
    private Optional<String> nearest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key.toLowerCase(Locale.ROOT).replace('_', '-'), k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 4) ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String settingName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String or(List<String> names) {
        return names.size() == 1 ? names.getFirst()
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast();
    }

    @Override
    public String toString() {
        return "SettingsReader[" + subject + ", keys=" + new TreeSet<>(values.keySet()) + "]";
    }
}
