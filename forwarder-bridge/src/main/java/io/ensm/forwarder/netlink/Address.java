package io.ensm.forwarder.netlink;

import java.net.InetAddress;

/** An interface address with its prefix length. */
public record Address(int index, InetAddress address, int prefixLength) {
    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength + " on #" + index;
    }
}
