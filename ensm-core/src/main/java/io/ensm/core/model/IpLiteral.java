package io.ensm.core.model;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Checks IP address literals without ever resolving a host name. */
public final class IpLiteral {
    private IpLiteral() {}

    /** True when the text is an IPv4 or IPv6 address literal. */
    public static boolean isValid(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return false;
        }
        try {
            // InetAddress.ofLiteral tries IPv4 first and throws internally for every IPv6 literal;
            // text with a colon can only be IPv6, so go there directly (same result, no exception).
            if (text.indexOf(':') >= 0) {
                Inet6Address.ofLiteral(text);
            } else {
                InetAddress.ofLiteral(text);
            }
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
