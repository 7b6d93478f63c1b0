package io.ensm.tf.vncdouble;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The instance-ip rules of TF's API server ({@code InstanceIpServer} and its address management)
 * for an address in a virtual network: the address must lie in one of the network's subnets
 * ({@code network_ipam_refs[].attr.ipam_subnets[].subnet}) and not be taken by another instance-ip of
 * the network ("IP address already in use", 409); without a requested address the first free one
 * after the gateway is given; the subnet is recorded in {@code instance_ip_subnet}; an update may
 * not change the address (400). The messages for an address outside every subnet are the double's
 * own wording (TF's come from its address manager). Not modelled: addresses from a network-ipam or
 * a virtual-router, gateway addresses.
 */
final class InstanceIpRules implements TypeRules {
    /** Addresses as written -> parsed, so a check does not parse every instance-ip's address again. */
    private final java.util.Map<String, InetAddress> addresses = new java.util.concurrent.ConcurrentHashMap<>();

    private record Subnet(InetAddress prefix, int length) {
        boolean contains(InetAddress a) {
            return a.getClass() == prefix.getClass() && number(a).shiftRight(bits() - length).equals(number(prefix).shiftRight(bits() - length));
        }

        int bits() {
            return prefix instanceof Inet6Address ? 128 : 32;
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
        List<Subnet> subnets = subnets(vn);
        String family = f.path("instance_ip_family").asString("");
        String requested = f.path("instance_ip_address").asString("");
        InetAddress address;
        Subnet subnet;
        if (!requested.isEmpty()) {
            address = parse(requested);
            if (!family.isEmpty() && !family.equals(address instanceof Inet6Address ? "v6" : "v4")) {
                throw ApiError.badRequest("instance_ip_family " + family + " does not match address " + requested);
            }
            if (inUse(store, vn.uuid, address)) {
                throw ApiError.conflict("IP address already in use");
            }
            subnet = subnets.stream().filter(s -> s.contains(address)).findFirst().orElseThrow(() -> ApiError.badRequest(
                    subnets.isEmpty() ? "Virtual-Network(" + String.join(":", vn.fqName) + ") has no subnets"
                            : "Requested IP address " + requested + " is not in any subnet of virtual network " + String.join(":", vn.fqName)));
        } else {
            boolean v6 = family.equals("v6");
            subnet = subnets.stream().filter(s -> (s.prefix instanceof Inet6Address) == v6).findFirst()
                    .orElseThrow(() -> ApiError.badRequest("Virtual-Network(" + String.join(":", vn.fqName) + ") has no "
                            + (v6 ? "IPv6" : "IPv4") + " subnet"));
            address = firstFree(store, vn.uuid, subnet);
        }
        // A requested address is kept as written; a given one in Java's text form.
        f.put("instance_ip_address", requested.isEmpty() ? address.getHostAddress() : requested);
        f.putObject("instance_ip_subnet").put("ip_prefix", subnet.prefix.getHostAddress()).put("ip_prefix_len", subnet.length);
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

    private static List<Subnet> subnets(ObjectStore.Obj vn) {
        List<Subnet> subnets = new ArrayList<>();
        for (JsonNode ipam : vn.fields.path("network_ipam_refs")) {
            for (JsonNode s : ipam.path("attr").path("ipam_subnets")) {
                JsonNode subnet = s.path("subnet");
                subnets.add(new Subnet(parse(subnet.path("ip_prefix").asString("")), subnet.path("ip_prefix_len").asInt()));
            }
        }
        return subnets;
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

    /** The first address after the subnet's gateway (its first host) that no instance-ip holds. */
    private InetAddress firstFree(ObjectStore store, String vnUuid, Subnet subnet) {
        BigInteger base = number(subnet.prefix);
        BigInteger size = BigInteger.ONE.shiftLeft(subnet.bits() - subnet.length);
        for (BigInteger i = BigInteger.TWO; i.compareTo(size.subtract(BigInteger.ONE)) < 0 && i.intValue() < 65_536; i = i.add(BigInteger.ONE)) {
            InetAddress candidate = address(base.add(i), subnet.bits());
            if (!inUse(store, vnUuid, candidate)) {
                return candidate;
            }
        }
        throw ApiError.badRequest("Virtual-Network subnet " + subnet.prefix.getHostAddress() + "/" + subnet.length + " has no free address");
    }

    private static InetAddress parse(String text) {
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("Invalid IP address: " + text);
        }
    }

    private static BigInteger number(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    private static InetAddress address(BigInteger n, int bits) {
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
