package io.ensm.forwarder.bridge;

import io.ensm.core.model.IpLiteral;
import io.ensm.core.spi.SettingsReader;
import io.ensm.forwarder.netlink.LinkNameRules;
import io.ensm.forwarder.netlink.NetworkNamespace;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Map;

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
    public static BridgeSettings parse(SettingsReader settings, Map<String, String> env) {
        String ipText = settings.required(LOCAL_IP, "the address the callers' forwarders send VXLAN to");
        if (!IpLiteral.isValid(ipText)) {
            throw settings.invalid(LOCAL_IP, "'" + ipText + "' is not an IP address");
        }
        InetAddress local = InetAddress.ofLiteral(ipText);
        if (local.isAnyLocalAddress() || local.isMulticastAddress()) {
            throw settings.invalid(LOCAL_IP, "'" + ipText + "' must be a unicast address of this host");
        }
        int port = settings.integer(VXLAN_PORT, 1, 65535, DEFAULT_VXLAN_PORT);
        String fromEnv = env.getOrDefault(VXLAN_PORT_ENV, "").strip();
        if (!fromEnv.isEmpty()) {
            port = new SettingsReader("the environment", Map.of(VXLAN_PORT_ENV + " (environment)", fromEnv))
                    .integer(VXLAN_PORT_ENV + " (environment)", 1, 65535, port);
        }
        String uplink = settings.string(UPLINK, "");
        if (!uplink.isEmpty() && LinkNameRules.problem(uplink) != null) {
            throw settings.invalid(UPLINK, "interface name '" + uplink + "' " + LinkNameRules.problem(uplink));
        }
        int mtu = settings.optional(MTU).map(m -> mtu(settings, m, overhead(local))).orElse(0);
        String netns = settings.string(NETNS, "");
        settings.done();
        if (!netns.isEmpty()) {
            try {
                if (!NetworkNamespace.exists(netns)) {
                    throw settings.invalid(NETNS, "network namespace '" + netns + "' does not exist ("
                            + NetworkNamespace.handle(netns) + "); create it with 'ip netns add " + netns + "'");
                }
            } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith(NETNS) ? e : settings.invalid(NETNS, e.getMessage(), e);
            }
        }
        return new BridgeSettings(local, port, uplink, mtu, netns);
    }

    private static int mtu(SettingsReader settings, String text, int overhead) {
        int min = MIN_PAYLOAD_MTU + overhead;
        try {
            int m = Integer.parseInt(text);
            if (m >= min && m <= 65535) {
                return m;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw settings.invalid(MTU, "'" + text + "' is not an underlay MTU (" + min + "-65535: "
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
