package io.ensm.openstack.keystone;

import java.util.Arrays;

/**
 * A password, held so that it cannot reach a log line, an exception message or a debugger's
 * toString by accident. It is turned into a String only at the moment Keystone is called.
 */
public final class Secret {
    private final char[] value;

    private Secret(char[] value) {
        this.value = value;
    }

    public static Secret of(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("is empty");
        }
        return new Secret(value.toCharArray());
    }

    /** The password itself; for the Keystone request only. */
    String reveal() {
        return new String(value);
    }

    /** True when {@code text} contains the password, for checks that it did not leak. */
    public boolean occursIn(String text) {
        return text != null && text.contains(new String(value));
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
        return "(secret)";
    }
}
