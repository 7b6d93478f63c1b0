package io.ensm.netconf.driver;

import org.onlab.packet.IpAddress;
import org.onlab.packet.IpPrefix;
import org.onlab.packet.VlanId;
import org.onosproject.net.host.InterfaceIpAddress;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns leaf values read from a box into model values. A box validates what it stores, so odd
 * values are rare; they become "absent" rather than failing the whole read-back.
 */
public final class Readback {

    private Readback() {}

    public static OptionalInt integer(Optional<String> text) {
        if (text.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(text.get().strip()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** The tag as the box holds it (0-4095), or NONE when absent or not a plain VLAN id (a QinQ pair, say). */
    public static VlanId vlan(Optional<String> text) {
        OptionalInt id = integer(text);
        if (id.isEmpty() || id.getAsInt() < 0 || id.getAsInt() > VlanId.MAX_VLAN) {
            return VlanId.NONE;
        }
        return VlanId.vlanId((short) id.getAsInt());
    }

    /** One MTU for the sub-interface: 0 when neither family has one or the two disagree. */
    public static int mtu(OptionalInt ipv4, OptionalInt ipv6) {
        if (ipv4.isPresent() && ipv6.isPresent()) {
            return ipv4.getAsInt() == ipv6.getAsInt() ? ipv4.getAsInt() : 0;
        }
        return ipv4.orElse(ipv6.orElse(0));
    }

    /** An address from separate {@code ip} and {@code prefix-length} leaves. */
    public static Optional<InterfaceIpAddress> address(Optional<String> ip, Optional<String> prefixLength) {
        OptionalInt length = integer(prefixLength);
        if (ip.isEmpty() || length.isEmpty()) {
            return Optional.empty();
        }
        try {
            IpAddress address = IpAddress.valueOf(ip.get().strip());
            return Optional.of(new InterfaceIpAddress(address, IpPrefix.valueOf(address, length.getAsInt())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** An address from one {@code a.b.c.d/len} value. */
    public static Optional<InterfaceIpAddress> address(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        return address(Optional.of(cidr.substring(0, slash)), Optional.of(cidr.substring(slash + 1)));
    }
}
