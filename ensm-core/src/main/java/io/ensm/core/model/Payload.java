package io.ensm.core.model;

import java.util.Locale;

/** What a network service carries; NSM spells these "ETHERNET" and "IP" on the wire. */
public enum Payload {
    ETHERNET,
    IP;

    /** Parses the wire spelling; an empty value means ETHERNET, NSM's default. */
    public static Payload parse(String wire) {
        if (wire == null || wire.isBlank()) {
            return ETHERNET;
        }
        try {
            return valueOf(wire.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown payload '" + wire + "' (supported: ETHERNET, IP)");
        }
    }
}
