package io.ensm.tf.vncdouble;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The instance-ip rules of OpenSDN's API server ({@code InstanceIpServer} and its address
 * management, {@code vnc_addr_mgmt}) for an address in a virtual network, as seen against the real
 * server: a requested address must lie in one of the network's subnets (else 400 "...has exhausted
 * subnet([])"), and not be taken by another instance-ip of the network, nor be the subnet's network
 * or last (broadcast) address or its service address ({@code dns_server_address}, by default last -
 * 2): all 409 "IP address already in use". The gateway (last - 1) may be requested. Without a
 * requested address the highest free one is given, below the service address. An update may not
 * change the address (400). The subnets are the network's own and those of the flat-subnet
 * network-ipams it refers to. Not modelled: allocation pools, instance-ips of a network-ipam or a
 * virtual-router.
 */
final class InstanceIpRules implements TypeRules {
    /** Addresses as written -> parsed, so a check does not parse every instance-ip's address again. */
    private final java.util.Map<String, InetAddress> addresses = new java.util.concurrent.ConcurrentHashMap<>();

    /** One subnet of a network with the addresses TF keeps for itself. */
    private record Subnet(InetAddress prefix, int length, InetAddress gateway, InetAddress service) {
        boolean contains(InetAddress a) {
            return a.getClass() == prefix.getClass() && number(a).shiftRight(bits() - length).equals(number(prefix).shiftRight(bits() - length));
        }

        int bits() {
            return prefix instanceof Inet6Address ? 128 : 32;
        }

        BigInteger first() {
            return number(prefix);
        }

        BigInteger last() {
            return first().add(BigInteger.ONE.shiftLeft(bits() - length)).subtract(BigInteger.ONE);
        }

        /** Network, last address and service address: refused when asked for. */
        boolean reserved(InetAddress a) {
            BigInteger n = number(a);
            return n.equals(first()) || n.equals(last()) || a.equals(service);
        }
    }

    @Override
    public Runnable preCreate(ObjectStore store, ObjectStore.Obj iip) {
        ObjectNode f = iip.fields;
        List<String> vns = ObjectStore.refUuids(f, "virtual-network");
        if (vns.isEmpty()) {
            throw ApiError.badRequest("this VNC API double models instance-ips in a virtual network only: virtual_network_refs is missing");
        }
        ObjectStore.Obj vn = store.get(vns.getFirst());
        List<Subnet> subnets = subnets(store, vn);
        String family = f.path("instance_ip_family").asString("");
        String requested = f.path("instance_ip_address").asString("");
        if (!requested.isEmpty()) {
            InetAddress address = parse(requested);
            Subnet subnet = subnets.stream().filter(s -> s.contains(address)).findFirst().orElse(null);
            if (subnet == null || !family.isEmpty() && !family.equals(address instanceof Inet6Address ? "v6" : "v4")) {
                throw outsideSubnets(vn);
            }
            if (subnet.reserved(address) || inUse(store, vn.uuid, address)) {
                throw ApiError.conflict("IP address already in use");
            }
            f.put("instance_ip_address", normal(address)); // TF stores the address in its normal form
        } else {
            boolean v6 = family.equals("v6");
            Subnet subnet = subnets.stream().filter(s -> (s.prefix instanceof Inet6Address) == v6).findFirst()
                    .orElseThrow(() -> ApiError.badRequest("Virtual-Network(" + PyRepr.of(vn.fqName) + ") has exhausted subnet([])"));
            f.put("instance_ip_address", normal(highestFree(store, vn.uuid, subnet)));
        }
        return () -> {};
    }

    @Override
    public Runnable preUpdate(ObjectStore store, ObjectStore.Obj iip, ObjectNode merged) {
        String before = iip.fields.path("instance_ip_address").asString("");
        String after = merged.path("instance_ip_address").asString("");
        if (!after.isEmpty() && !parse(after).equals(parse(before))) {
            throw ApiError.badRequest("Instance IP Address can not be changed");
        }
        return () -> {};
    }

    /** The network's own subnets, then those of the flat-subnet ipams it refers to. */
    private static List<Subnet> subnets(ObjectStore store, ObjectStore.Obj vn) {
        List<Subnet> subnets = new ArrayList<>();
        List<JsonNode> flat = new ArrayList<>();
        for (JsonNode ipam : vn.fields.path("network_ipam_refs")) {
            for (JsonNode s : ipam.path("attr").path("ipam_subnets")) {
                if (SubnetDefaults.hasPrefix(s)) {
                    subnets.add(subnet(s));
                }
            }
            ObjectStore.Obj ipamObject = store.get(ipam.path("uuid").asString(""));
            if (IpamRules.flat(ipamObject)) {
                ipamObject.fields.path("ipam_subnets").path("subnets").forEach(flat::add);
            }
        }
        flat.stream().filter(SubnetDefaults::hasPrefix).forEach(s -> subnets.add(subnet(s)));
        return subnets;
    }

    private static Subnet subnet(JsonNode ipamSubnet) {
        JsonNode subnet = ipamSubnet.path("subnet");
        return new Subnet(parse(subnet.path("ip_prefix").asString("")), subnet.path("ip_prefix_len").asInt(),
                optional(ipamSubnet.path("default_gateway").asString("")), optional(ipamSubnet.path("dns_server_address").asString("")));
    }

    /**
     * TF's answer for an address in none of the subnets: its last try is the network's own
     * subnets, so a network with none of its own (all in flat-subnet ipams) has "no defined subnets".
     */
    private static ApiError outsideSubnets(ObjectStore.Obj vn) {
        for (JsonNode ipam : vn.fields.path("network_ipam_refs")) {
            for (JsonNode s : ipam.path("attr").path("ipam_subnets")) {
                if (SubnetDefaults.hasPrefix(s)) {
                    return ApiError.badRequest("Virtual-Network(" + PyRepr.of(vn.fqName) + ") has exhausted subnet([])");
                }
            }
        }
        return ApiError.badRequest("Virtual-Network(" + PyRepr.of(vn.fqName) + ") has no defined subnets");
    }

    private boolean inUse(ObjectStore store, String vnUuid, InetAddress address) {
        for (ObjectStore.Obj other : store.referrers(vnUuid)) {
            String text = other.fields.path("instance_ip_address").asString("");
            if (other.type.equals("instance-ip") && address.equals(addresses.computeIfAbsent(text, InstanceIpRules::parse))) {
                return true;
            }
        }
        return false;
    }

    /** TF hands out addresses from the top of a subnet: the highest one that is free and not its own. */
    private InetAddress highestFree(ObjectStore store, String vnUuid, Subnet subnet) {
        BigInteger low = subnet.first();
        BigInteger candidate = subnet.last().subtract(BigInteger.ONE);
        for (int tried = 0; candidate.compareTo(low) > 0 && tried < 65_536; tried++, candidate = candidate.subtract(BigInteger.ONE)) {
            InetAddress a = address(candidate, subnet.bits());
            if (!a.equals(subnet.gateway) && !subnet.reserved(a) && !inUse(store, vnUuid, a)) {
                return a;
            }
        }
        throw ApiError.badRequest("Virtual-Network subnet " + subnet.prefix.getHostAddress() + "/" + subnet.length + " has no free address");
    }

    /** An address as TF writes it back: IPv6 compressed (RFC 5952), IPv4 dotted. */
    static String normal(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a.getHostAddress();
        }
        int[] groups = new int[8];
        byte[] b = a.getAddress();
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static InetAddress optional(String text) {
        return text.isEmpty() || Set.of("None", "0.0.0.0", "::").contains(text) ? null : parse(text);
    }

    static InetAddress parse(String text) {
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("Invalid IP address: " + text);
        }
    }

    static BigInteger number(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    static InetAddress address(BigInteger n, int bits) {
        byte[] raw = n.toByteArray();
        byte[] out = new byte[bits / 8];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
