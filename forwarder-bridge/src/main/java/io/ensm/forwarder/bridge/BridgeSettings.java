package io.ensm.forwarder.bridge;

import io.ensm.core.model.IpLiteral;
import io.ensm.forwarder.netlink.LinkNameRules;
import io.ensm.forwarder.netlink.NetworkNamespace;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings of the bridge forwarder (from {@code ensm.forwarder.settings}).
 *
 * @param localIp    the address VXLAN is terminated on (the caller's forwarder sends to it)
 * @param vxlanPort  the UDP port ensm's VXLAN devices listen on
 * @param uplink     the interface VLAN attachments hang off when the attachment names none; may be empty
 * @param mtu        the underlay MTU, 0 to read it from the interface holding {@code localIp}
 * @param netns      the named network namespace the forwarder works in; empty for its own
 */
public record BridgeSettings(InetAddress localIp, int vxlanPort, String uplink, int mtu, String netns) {
    public static final String LOCAL_IP = "local-ip";
    public static final String VXLAN_PORT = "vxlan-port";
    public static final String UPLINK = "uplink";
    public static final String MTU = "mtu";
    public static final String NETNS = "netns";
    /** Environment override of the port, in the manner of NSM's NSM_VXLAN_PORT. */
    public static final String VXLAN_PORT_ENV = "ENSM_VXLAN_PORT";
    public static final int DEFAULT_VXLAN_PORT = 4789;
    private static final Set<String> KEYS = Set.of(LOCAL_IP, VXLAN_PORT, UPLINK, MTU, NETNS);

    /** The bytes VXLAN adds on an IPv4 underlay: outer Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
    public static final int VXLAN_OVERHEAD_IPV4 = 50;
    /** The same over IPv6 (a 40-byte outer header). */
    public static final int VXLAN_OVERHEAD_IPV6 = 70;
    /** The smallest payload MTU worth having: IPv4's minimum. */
    private static final int MIN_PAYLOAD_MTU = 68;

    /**
     * Reads and checks the settings; an error names the key.
     *
     * @param env the environment, for {@value #VXLAN_PORT_ENV}
     */
    public static BridgeSettings parse(Map<String, String> settings, Map<String, String> env) {
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(key + ": not a setting of the bridge forwarder; known: " + new TreeSet<>(KEYS));
            }
        }
        String ipText = settings.getOrDefault(LOCAL_IP, "").strip();
        if (ipText.isEmpty()) {
            throw new IllegalArgumentException(LOCAL_IP + ": missing; the address the callers' forwarders send VXLAN to");
        }
        if (!IpLiteral.isValid(ipText)) {
            throw new IllegalArgumentException(LOCAL_IP + ": '" + ipText + "' is not an IP address");
        }
        InetAddress local = InetAddress.ofLiteral(ipText);
        if (local.isAnyLocalAddress() || local.isMulticastAddress()) {
            throw new IllegalArgumentException(LOCAL_IP + ": '" + ipText + "' must be a unicast address of this host");
        }
        int port = port(VXLAN_PORT, settings.getOrDefault(VXLAN_PORT, Integer.toString(DEFAULT_VXLAN_PORT)));
        String fromEnv = env.getOrDefault(VXLAN_PORT_ENV, "").strip();
        if (!fromEnv.isEmpty()) {
            port = port(VXLAN_PORT_ENV + " (environment)", fromEnv);
        }
        String uplink = settings.getOrDefault(UPLINK, "").strip();
        if (!uplink.isEmpty() && LinkNameRules.problem(uplink) != null) {
            throw new IllegalArgumentException(UPLINK + ": interface name '" + uplink + "' " + LinkNameRules.problem(uplink));
        }
        int mtu = mtu(settings.getOrDefault(MTU, "").strip(), overhead(local));
        String netns = settings.getOrDefault(NETNS, "").strip();
        if (!netns.isEmpty()) {
            try {
                if (!NetworkNamespace.exists(netns)) {
                    throw new IllegalArgumentException(NETNS + ": network namespace '" + netns + "' does not exist ("
                            + NetworkNamespace.handle(netns) + "); create it with 'ip netns add " + netns + "'");
                }
            } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith(NETNS) ? e : new IllegalArgumentException(NETNS + ": " + e.getMessage());
            }
        }
        return new BridgeSettings(local, port, uplink, mtu, netns);
    }

    private static int port(String key, String text) {
        try {
            int p = Integer.parseInt(text.strip());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + ": '" + text + "' is not a UDP port (1-65535)");
    }

    private static int mtu(String text, int overhead) {
        if (text.isEmpty()) {
            return 0;
        }
        int min = MIN_PAYLOAD_MTU + overhead;
        try {
            int m = Integer.parseInt(text);
            if (m >= min && m <= 65535) {
                return m;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(MTU + ": '" + text + "' is not an underlay MTU (" + min + "-65535: "
                + MIN_PAYLOAD_MTU + " for the payload plus " + overhead + " of VXLAN overhead)");
    }

    /** What VXLAN encapsulation costs on this underlay. */
    public static int overhead(InetAddress local) {
        return local instanceof Inet4Address ? VXLAN_OVERHEAD_IPV4 : VXLAN_OVERHEAD_IPV6;
    }

    public int overhead() {
        return overhead(localIp);
    }

    /** "network namespace 'x'" or "the host's network namespace", for messages. */
    public String where() {
        return netns.isEmpty() ? "ensm's own network namespace" : "network namespace '" + netns + "'";
    }
}
