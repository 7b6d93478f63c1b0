package io.ensm.forwarder.bridge;

import io.ensm.forwarder.netlink.Links;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The names and the mark of one connection's links. A name is a role prefix and 11 hex digits
 * of the SHA-256 of the connection id (15 characters, the kernel's limit), so it is stable across
 * restarts and needs no table; the alias {@code ensm:<connection id>} carries the whole id, which
 * tells a hash collision or a foreign link apart from ensm's own.
 */
public record LinkNames(String bridge, String vxlan, String veth, String vlan, String marker) {
    public static final String MARK = "ensm:";
    static final String BRIDGE_PREFIX = "ensb";
    static final String VXLAN_PREFIX = "ensx";
    static final String VETH_PREFIX = "ensv";
    static final String VLAN_PREFIX = "ensq";
    private static final int HASH_DIGITS = 11;

    public static LinkNames of(String connectionId) {
        if (connectionId == null || connectionId.isEmpty()) {
            throw new IllegalArgumentException("connection id is empty");
        }
        String marker = MARK + connectionId;
        if (marker.length() > Links.MAX_ALIAS) {
            throw new IllegalArgumentException("connection id of " + connectionId.length() + " characters does not fit a link alias ("
                    + (Links.MAX_ALIAS - MARK.length()) + " at most)");
        }
        String h = hash(connectionId);
        return new LinkNames(BRIDGE_PREFIX + h, VXLAN_PREFIX + h, VETH_PREFIX + h, VLAN_PREFIX + h, marker);
    }

    /** The connection id a link alias marks, if it is ensm's mark. */
    public static Optional<String> connectionIdOf(String alias) {
        return alias != null && alias.startsWith(MARK) && alias.length() > MARK.length()
                ? Optional.of(alias.substring(MARK.length())) : Optional.empty();
    }

    private static String hash(String id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, HASH_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
