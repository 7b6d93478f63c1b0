package io.ensm.forwarder.netlink;

import java.net.InetAddress;
import java.util.HexFormat;

/**
 * A neighbour entry: an IP-to-MAC mapping, or (family bridge) a forwarding-database entry, where
 * for a VXLAN device {@code destination} and {@code port} say where frames for {@code mac} are tunnelled.
 *
 * @param port UDP port of a VXLAN FDB entry, 0 when the device's own port applies
 */
public record Neighbour(int index, InetAddress destination, byte[] mac, int port) {
    public static final byte[] ALL_ZEROS_MAC = new byte[6];

    public String macText() {
        return mac == null ? "" : HexFormat.ofDelimiter(":").formatHex(mac);
    }

    @Override
    public String toString() {
        return macText() + (destination == null ? "" : " dst " + destination.getHostAddress()) + (port == 0 ? "" : " port " + port)
                + " on #" + index;
    }
}
