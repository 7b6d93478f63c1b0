package io.ensm.core.spi;

/** An inclusive range of 802.1Q VLAN ids, validated on construction. */
public record VlanRange(int first, int last) {
    public VlanRange {
        if (first < 1 || last > 4094 || first > last) {
            throw new IllegalArgumentException("VLAN range " + first + "-" + last + " is not within 1-4094");
        }
    }

    /** Parses "100-199" or a single "100". */
    public static VlanRange parse(String text) {
        String t = text.trim();
        try {
            int dash = t.indexOf('-');
            if (dash < 0) {
                int v = Integer.parseInt(t);
                return new VlanRange(v, v);
            }
            return new VlanRange(Integer.parseInt(t.substring(0, dash).trim()), Integer.parseInt(t.substring(dash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("VLAN range '" + text + "' is not of the form FIRST-LAST");
        }
    }

    public int size() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
