package io.ensm.core.model;

import java.util.List;

/**
 * What one connection holds from ensm's pools. Addresses are "addr/len" strings as on the wire:
 * {@code endpointAddrs} go to the NSE side ({@code dst_ip_addrs}), {@code clientAddrs} to the
 * client ({@code src_ip_addrs}). Zero means "none" for the VLAN id and the VNI.
 */
public record Allocation(List<String> endpointAddrs, List<String> clientAddrs, String vlanPool, int vlanId, int vni) {
    public static final Allocation NONE = new Allocation(List.of(), List.of(), "", 0, 0);

    public Allocation {
        endpointAddrs = List.copyOf(endpointAddrs);
        clientAddrs = List.copyOf(clientAddrs);
        vlanPool = vlanPool == null ? "" : vlanPool;
    }

    public Allocation withVlan(String pool, int id) {
        return new Allocation(endpointAddrs, clientAddrs, pool, id, vni);
    }

    public Allocation withVni(int newVni) {
        return new Allocation(endpointAddrs, clientAddrs, vlanPool, vlanId, newVni);
    }

    public Allocation withAddresses(List<String> endpoint, List<String> client) {
        return new Allocation(endpoint, client, vlanPool, vlanId, vni);
    }
}
