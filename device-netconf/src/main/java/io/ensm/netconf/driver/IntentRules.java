package io.ensm.netconf.driver;

import org.onlab.packet.VlanId;
import org.onosproject.net.host.InterfaceIpAddress;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks every driver applies before it writes: each failure is an IllegalArgumentException
 * whose message starts with the field it is about ({@code vlan: 4095 is outside 1-4094}).
 */
public final class IntentRules {
    public static final int MIN_VLAN = 1;
    public static final int MAX_VLAN = 4094;
    /** The smallest IPv4 MTU (RFC 791), also the lower bound of the ietf-ip and openconfig-if-ip mtu leaves. */
    public static final int MIN_MTU = 68;
    /** The IPv6 minimum link MTU (RFC 8200). */
    public static final int MIN_IPV6_MTU = 1280;
    public static final int MAX_MTU = 65535;
    /** The longest connection id ensm accepts on the wire. */
    public static final int MAX_CONNECTION_ID = 256;

    private IntentRules() {}

    /** Everything a Put writes: port, VLAN, MTU, marker and addresses. */
    public static void checkPut(Driver driver, SubInterface s) {
        checkKey(driver, s.parentPort(), s.vlan());
        checkMtu(s);
        checkConnectionId(s.connectionId());
        checkAddresses(s.addresses());
    }

    /** What a Remove needs: the parent port and VLAN that name the sub-interface. */
    public static void checkRemove(Driver driver, SubInterface s) {
        checkKey(driver, s.parentPort(), s.vlan());
    }

    public static void checkKey(Driver driver, String parentPort, VlanId vlan) {
        try {
            driver.checkPortName(parentPort);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parentPort: " + e.getMessage(), e);
        }
        checkVlan(vlan);
    }

    public static void checkVlan(VlanId vlan) {
        if (vlan == null) {
            throw new IllegalArgumentException("vlan: missing");
        }
        short id = vlan.toShort();
        if (id < MIN_VLAN || id > MAX_VLAN) {
            throw new IllegalArgumentException("vlan: " + vlan + " is outside " + MIN_VLAN + "-" + MAX_VLAN);
        }
    }

    /** Junos's range for vlans/vlan/vxlan/vni, without 0 (no network). */
    public static final int MIN_VNI = 1;
    public static final int MAX_VNI = 16_777_214;

    /** Everything a VXLAN Put writes: VNI, VLAN, remote VTEPs, MTU, marker and addresses. */
    public static void checkVxlanPut(VxlanNetwork n) {
        checkVxlanKey(n);
        if (n.remoteVteps().isEmpty()) {
            throw new IllegalArgumentException("remoteVteps: none (the caller's node is the VLAN's static remote VTEP)");
        }
        for (int i = 0; i < n.remoteVteps().size(); i++) {
            checkVtep("remoteVteps[" + i + "]", n.remoteVteps().get(i));
        }
        checkMtu(n.mtu(), n.addresses().stream().anyMatch(a -> a.ipAddress().isIp6()));
        checkConnectionId(n.connectionId());
        checkAddresses(n.addresses());
    }

    /** What a VXLAN Remove needs: the VNI and VLAN that name the VLAN and its layer-3 unit. */
    public static void checkVxlanKey(VxlanNetwork n) {
        if (n.vni() < MIN_VNI || n.vni() > MAX_VNI) {
            throw new IllegalArgumentException("vni: " + n.vni() + " is outside " + MIN_VNI + "-" + MAX_VNI);
        }
        checkVlan(n.vlan());
    }

    /** A static remote VTEP: an IPv4 address (the list ensm writes holds IPv4 VTEPs only). */
    public static void checkVtep(String field, String vtep) {
        if (vtep == null || !IPV4.matcher(vtep).matches()) {
            throw new IllegalArgumentException(field + ": '" + vtep + "' is not an IPv4 address; a static remote VTEP is one");
        }
    }

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    static void checkMtu(SubInterface s) {
        checkMtu(s.mtu(), s.writesIpv6());
    }

    static void checkMtu(int mtu, boolean ipv6) {
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("mtu: " + mtu + " is outside " + MIN_MTU + "-" + MAX_MTU);
        }
        if (mtu < MIN_IPV6_MTU && ipv6) {
            throw new IllegalArgumentException("mtu: " + mtu + " is below " + MIN_IPV6_MTU
                    + ", the IPv6 minimum, and the interface has IPv6 addresses");
        }
    }

    static void checkConnectionId(String id) {
        if (id.isEmpty()) {
            throw new IllegalArgumentException("connectionId: empty (it is the marker that makes the object ensm's)");
        }
        if (id.length() > MAX_CONNECTION_ID) {
            throw new IllegalArgumentException("connectionId: " + id.length() + " characters, more than " + MAX_CONNECTION_ID);
        }
        if (!id.strip().equals(id)) {
            throw new IllegalArgumentException("connectionId: starts or ends with white space, which a box may trim");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) || c == '\uFFFE' || c == '\uFFFF') {
                throw new IllegalArgumentException("connectionId: control or non-character at index " + i);
            }
        }
    }

    static void checkAddresses(List<InterfaceIpAddress> addresses) {
        Map<Object, Integer> seen = new HashMap<>();
        for (int i = 0; i < addresses.size(); i++) {
            InterfaceIpAddress a = addresses.get(i);
            String field = "addresses[" + i + "]: ";
            // Only address and prefix length are written; the broadcast address follows from them.
            if (!a.equals(new InterfaceIpAddress(a.ipAddress(), a.subnetAddress()))) {
                throw new IllegalArgumentException(field + a.ipAddress()
                        + " carries a peer address or a broadcast address not of its subnet, which no driver writes");
            }
            if (!a.subnetAddress().contains(a.ipAddress())) {
                throw new IllegalArgumentException(field + "subnet " + a.subnetAddress() + " does not contain " + a.ipAddress());
            }
            Integer before = seen.putIfAbsent(a.ipAddress(), i);
            if (before != null) {
                throw new IllegalArgumentException(field + a.ipAddress() + " is also addresses[" + before + "]");
            }
        }
    }
}
