package io.ensm.forwarder.bridge;

import io.ensm.core.spi.Owner;
import io.ensm.forwarder.netlink.Links;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The names and the mark of one connection's links. A name is a role prefix and 11 hex digits
 * of the SHA-256 of the connection id (15 characters, the kernel's limit), so it is stable across
 * restarts and needs no table; the alias {@code ensm@<owner>:<connection id>} carries the owner
 * and the whole id, which tells a hash collision, a foreign link or another ensm's link on the
 * same host apart from this ensm's own.
 *
 * <p>Links marked before marks named their owner carry {@code ensm:<connection id>}
 * ({@link #legacyMarker}): they are still this ensm's for a connection it holds (and re-marked by
 * the repair), but never swept, since another ensm on the host may have made them.
 *
 * @param marker       the alias ensm writes
 * @param legacyMarker the alias an earlier ensm wrote for the same connection
 */
public record LinkNames(String bridge, String vxlan, String veth, String vlan, String marker, String legacyMarker) {
    public static final String MARK = "ensm@";
    public static final String LEGACY_MARK = "ensm:";
    static final String BRIDGE_PREFIX = "ensb";
    static final String VXLAN_PREFIX = "ensx";
    static final String VETH_PREFIX = "ensv";
    static final String VLAN_PREFIX = "ensq";
    private static final int HASH_DIGITS = 11;

    public static LinkNames of(Owner owner, String connectionId) {
        return of(owner, connectionId, connectionId);
    }

    /**
     * The names and mark of a shared segment's links on one attachment: marked with the segment's
     * id (as a connection's links are with the connection's), named from the id and the
     * attachment, so that one segment reached through two attachments gets two bridges and never
     * joins two uplinks into one loop.
     *
     * @param segmentId  the segment's marker id ({@code segment.<service>})
     * @param attachment the attachment's kind and parameters, e.g. "vlan {uplink=eth1, vlan=100}"
     */
    public static LinkNames ofSegment(Owner owner, String segmentId, String attachment) {
        return of(owner, segmentId, segmentId + "|" + attachment);
    }

    private static LinkNames of(Owner owner, String connectionId, String hashed) {
        if (connectionId == null || connectionId.isEmpty()) {
            throw new IllegalArgumentException("connection id is empty");
        }
        String marker = MARK + owner.name() + ":" + connectionId;
        if (marker.length() > Links.MAX_ALIAS) {
            throw new IllegalArgumentException("connection id of " + connectionId.length() + " characters does not fit a link alias ("
                    + (Links.MAX_ALIAS - MARK.length() - owner.name().length() - 1) + " at most with owner " + owner + ")");
        }
        String h = hash(hashed);
        return new LinkNames(BRIDGE_PREFIX + h, VXLAN_PREFIX + h, VETH_PREFIX + h, VLAN_PREFIX + h, marker, LEGACY_MARK + connectionId);
    }

    /** Whether a link's alias marks it as this connection's: this owner's mark or the mark without owner. */
    public boolean marks(String alias) {
        return alias.equals(marker) || alias.equals(legacyMarker);
    }

    /** The mark an alias carries, if it is ensm's (of any owner, or of none). */
    public static Optional<Mark> markOf(String alias) {
        if (alias == null) {
            return Optional.empty();
        }
        if (alias.startsWith(MARK)) {
            int colon = alias.indexOf(':', MARK.length());
            return colon <= MARK.length() || colon == alias.length() - 1 ? Optional.empty()
                    : Optional.of(new Mark(alias.substring(MARK.length(), colon), alias.substring(colon + 1)));
        }
        return alias.startsWith(LEGACY_MARK) && alias.length() > LEGACY_MARK.length()
                ? Optional.of(new Mark("", alias.substring(LEGACY_MARK.length()))) : Optional.empty();
    }

    /** The connection id a link alias marks, if it is ensm's mark (of any owner, or of none). */
    public static Optional<String> connectionIdOf(String alias) {
        return markOf(alias).map(Mark::connectionId);
    }

    /** A link's mark: its owner (empty when the mark names none) and its connection. */
    public record Mark(String owner, String connectionId) {}

    private static String hash(String id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, HASH_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
