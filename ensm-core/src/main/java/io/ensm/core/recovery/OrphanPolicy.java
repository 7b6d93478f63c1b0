package io.ensm.core.recovery;

import java.util.Arrays;
import java.util.Locale;

/**
 * What the orphan sweep does with objects on devices and in the kernel that carry ensm's marker
 * but belong to no connection the store holds ({@code ensm.recovery.orphans}).
 */
public enum OrphanPolicy {
    /** Remove them: what a crash or a restore left behind. */
    SWEEP,
    /** Leave them and report each once: the sweep only says what it would remove. */
    KEEP,
    /**
     * Leave them and report each once, like {@link #KEEP}. A marker carries a connection id and
     * nothing else (no caller, addresses, peer or lifetime), so no connection can be rebuilt from
     * it; what adoption can honestly mean is to keep the objects until their caller asks again
     * for the same connection id, which makes them known, or an operator removes them.
     */
    ADOPT;

    /** The setting's value: sweep, keep or adopt. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a setting's value; IllegalArgumentException naming the valid ones otherwise. */
    public static OrphanPolicy parse(String text) {
        for (OrphanPolicy p : values()) {
            if (p.label().equals(text == null ? "" : text.strip().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not an orphan policy; use one of "
                + Arrays.stream(values()).map(OrphanPolicy::label).toList());
    }
}
