package io.ensm.core.alloc;

import java.util.List;

/**
 * The addresses one connection holds, "addr/32" or "addr/128", at most one per family (IPv4
 * first). {@code endpointAddrs} go to the NSE side (wire dst_ip_addrs), {@code clientAddrs} to the
 * client (src_ip_addrs); index i of both lists is one pair.
 */
public record AddressPair(List<String> endpointAddrs, List<String> clientAddrs) {
    public static final AddressPair EMPTY = new AddressPair(List.of(), List.of());

    public AddressPair {
        endpointAddrs = List.copyOf(endpointAddrs);
        clientAddrs = List.copyOf(clientAddrs);
    }
}
