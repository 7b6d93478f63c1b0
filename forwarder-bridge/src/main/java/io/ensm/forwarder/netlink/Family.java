package io.ensm.forwarder.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Address family numbers of the rtnetlink headers. */
final class Family {
    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_BRIDGE = 7;
    static final int AF_INET6 = 10;

    private Family() {}

    static int of(InetAddress a) {
        return a instanceof Inet4Address ? AF_INET : AF_INET6;
    }

    static int bits(InetAddress a) {
        return a.getAddress().length * 8;
    }
}
