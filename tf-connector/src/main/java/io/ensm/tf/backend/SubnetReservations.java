package io.ensm.tf.backend;

import tools.jackson.databind.JsonNode;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The addresses TF keeps for itself in a virtual network's subnets: each subnet's network address
 * and last (broadcast) address, which its address management never hands out, its
 * {@code default_gateway} (the virtual router answers for it) and its {@code dns_server_address}
 * (the service address, last - 2 unless set otherwise), which TF refuses as an instance-ip with 409
 * "IP address already in use". ensm's pools leave them out
 * ({@link io.ensm.core.spi.BackendCapabilities#reservedAddresses}). A network's subnets are its own,
 * in {@code network_ipam_refs[].attr.ipam_subnets[]}, or those of a network-ipam it refers to whose
 * subnets are the ipam's ({@code ipam_subnet_method: flat-subnet}): TF then writes a reference entry
 * without a prefix, and the subnets, with the gateway and service address TF chose, are in the
 * ipam's {@code ipam_subnets.subnets[]}.
 */
final class SubnetReservations {
    private SubnetReservations() {}

    /**
     * The uuids of the network-ipams whose own (flat) subnets the network takes addresses from:
     * those its reference names with an entry that has no prefix, as TF itself tells them apart.
     */
    static List<String> flatIpams(JsonNode network) {
        List<String> out = new ArrayList<>();
        for (JsonNode ref : network.path("network_ipam_refs")) {
            for (JsonNode subnet : ref.path("attr").path("ipam_subnets")) {
                String uuid = ref.path("uuid").asString("");
                if (subnet.path("subnet").path("ip_prefix").asString("").isEmpty() && !uuid.isEmpty() && !out.contains(uuid)) {
                    out.add(uuid);
                }
            }
        }
        return out;
    }

    /** @param flatIpams the network-ipams {@link #flatIpams} names, as TF answers them */
    static List<String> of(JsonNode network, List<? extends JsonNode> flatIpams) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode ref : network.path("network_ipam_refs")) {
            for (JsonNode subnet : ref.path("attr").path("ipam_subnets")) {
                add(subnet, out);
            }
        }
        for (JsonNode ipam : flatIpams) {
            for (JsonNode subnet : ipam.path("ipam_subnets").path("subnets")) {
                add(subnet, out);
            }
        }
        return List.copyOf(out);
    }

    /** One {@code IpamSubnetType}'s reserved addresses; an entry without a prefix has none. */
    private static void add(JsonNode subnet, Set<String> out) {
        InetAddress prefix = parse(subnet.path("subnet").path("ip_prefix").asString(""));
        int length = subnet.path("subnet").path("ip_prefix_len").asInt(-1);
        if (prefix == null || length < 0) {
            return;
        }
        int bits = prefix instanceof Inet6Address ? 128 : 32;
        if (length > bits) {
            return;
        }
        BigInteger first = new BigInteger(1, prefix.getAddress()).shiftRight(bits - length).shiftLeft(bits - length);
        BigInteger last = first.add(BigInteger.ONE.shiftLeft(bits - length)).subtract(BigInteger.ONE);
        out.add(text(first, bits));
        out.add(text(last, bits));
        for (String field : List.of("default_gateway", "dns_server_address")) {
            InetAddress a = parse(subnet.path(field).asString(""));
            if (a != null && !a.isAnyLocalAddress()) {
                out.add(a.getHostAddress());
            }
        }
    }

    private static InetAddress parse(String text) {
        if (text.isEmpty() || text.equals("None")) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            return null; // not an address: nothing TF could reserve either
        }
    }

    private static String text(BigInteger n, int bits) {
        byte[] raw = n.toByteArray();
        byte[] out = new byte[bits / 8];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
