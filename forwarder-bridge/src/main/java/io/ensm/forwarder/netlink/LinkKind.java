package io.ensm.forwarder.netlink;

import java.net.InetAddress;

/** What kind of link to create, with the parameters that kind needs at creation time. */
public sealed interface LinkKind {

    String name();

    /** A Linux bridge (STP off, the kernel default). */
    record Bridge() implements LinkKind {
        public String name() {
            return "bridge";
        }
    }

    /**
     * A VXLAN device; {@code remote} null leaves the default destination to FDB entries.
     * {@code port} is the UDP port it listens on and, without an FDB entry, sends to.
     * {@code learning} off keeps the kernel from adding FDB entries for source MACs (which would
     * use the device's own port, not the peer's).
     */
    record Vxlan(int vni, InetAddress remote, InetAddress local, int port, boolean learning) implements LinkKind {
        public Vxlan {
            if (vni < 1 || vni > 0xFFFFFF) {
                throw new IllegalArgumentException("VNI " + vni + " outside 1-16777215");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("UDP port " + port + " outside 1-65535");
            }
            if (remote != null && remote.getClass() != local.getClass()) {
                throw new IllegalArgumentException("remote " + remote.getHostAddress() + " and local "
                        + local.getHostAddress() + " are of different address families");
            }
        }

        public String name() {
            return "vxlan";
        }
    }

    /**
     * A veth pair. The peer is created directly in the namespace behind {@code peerNetnsFd}
     * (-1: the same namespace), so it never exists under its name in ours. The peer starts down:
     * the kernel refuses to open a veth end before its pair is complete (ENOTCONN).
     */
    record Veth(String peerName, int peerNetnsFd, int peerMtu) implements LinkKind {
        public String name() {
            return "veth";
        }
    }

    /** An 802.1Q sub-interface of {@code parentIndex}; needs the 8021q module. */
    record Vlan(int parentIndex, int vlanId) implements LinkKind {
        public Vlan {
            if (vlanId < 1 || vlanId > 4094) {
                throw new IllegalArgumentException("VLAN id " + vlanId + " outside 1-4094");
            }
        }

        public String name() {
            return "vlan";
        }
    }
}
