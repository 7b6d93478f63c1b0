package io.ensm.netconf.client;

import java.util.Arrays;

/** A password held in memory; it prints as asterisks, so it cannot leak into logs or messages. */
public final class Secret {
    private final char[] value;

    public Secret(char[] value) {
        if (value.length == 0) {
            throw new IllegalArgumentException("empty secret");
        }
        this.value = value.clone();
    }

    /** The clear text, for the one call that must send it. */
    public String reveal() {
        return new String(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && Arrays.equals(value, s.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "****";
    }
}
