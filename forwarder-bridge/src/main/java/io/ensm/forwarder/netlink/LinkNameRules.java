package io.ensm.forwarder.netlink;

import java.nio.charset.StandardCharsets;

/** The kernel's rules for interface names (dev_valid_name): 1-15 bytes, no '/', ':' or whitespace, not "." or "..". */
public final class LinkNameRules {
    public static final int MAX = 15;

    private LinkNameRules() {}

    public static void check(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("interface name '" + name + "' " + problem);
        }
    }

    /** Why the name is not valid, or null when it is. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX) {
            return "is longer than " + MAX + " bytes";
        }
        if (name.equals(".") || name.equals("..")) {
            return "is reserved";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || c == 0 || Character.isWhitespace(c)) {
                return "contains '" + (c == 0 ? "\\0" : String.valueOf(c)) + "'";
            }
        }
        return null;
    }
}
