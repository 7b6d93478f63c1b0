package io.ensm.core.model;

import io.ensm.core.alloc.IpAddress;

/**
 * Checks IP address literals and prefixes for request validation, with the same strict parser
 * the address pools use (dotted quads only, no zone ids, never a host-name lookup).
 */
public final class IpLiteral {
    private IpLiteral() {}

    /** True when the text is an IPv4 or IPv6 address literal. */
    public static boolean isValid(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return false;
        }
        try {
            IpAddress.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** True for "addr/len" with a prefix length that fits the family, or a bare address. */
    public static boolean isValidPrefix(String text) {
        if (text == null) {
            return false;
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            return isValid(text);
        }
        String addr = text.substring(0, slash);
        String len = text.substring(slash + 1);
        if (!isValid(addr) || len.isEmpty() || len.length() > 3 || !len.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int max = addr.indexOf(':') >= 0 ? 128 : 32;
        return Integer.parseInt(len) <= max;
    }
}
