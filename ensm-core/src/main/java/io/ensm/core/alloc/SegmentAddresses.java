package io.ensm.core.alloc;

import io.grpc.Status;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The addresses of one segment service: per subnet (one per family) every connection gets one
 * host address with the subnet's prefix length, and the gateway is the far side of all of them.
 * Host addresses are numbered by slot from the one after the network address; the IPv4 broadcast
 * address and the gateway are never handed out. A /64 is capped at 2^63-1 hosts.
 * Thread-safe: one lock, held briefly.
 */
public final class SegmentAddresses {
    private final String service;
    private final List<Subnet> subnets;
    private final Map<String, long[]> leases = new HashMap<>();

    /** One subnet: its hosts by slot, the gateway's slot taken from the start. */
    private static final class Subnet {
        final IpPrefix prefix;
        final IpAddress first;
        final long hosts;
        final IpAddress gateway;
        final SlotSet used = new SlotSet();

        Subnet(IpPrefix prefix, IpAddress gateway) {
            this.prefix = prefix;
            this.gateway = gateway;
            this.first = prefix.network().plus(1);
            int host = prefix.network().bits() - prefix.length();
            this.hosts = host >= 64 ? Long.MAX_VALUE : (1L << host) - (prefix.isV6() ? 1 : 2);
            long g = slotOf(gateway);
            if (g >= 0) {
                used.add(g);
            }
        }

        long slotOf(IpAddress a) {
            long offset = a.minus(first);
            return offset < 0 || Long.compareUnsigned(offset, hosts) >= 0 ? -1 : offset;
        }

        String withLength(IpAddress a) {
            return a + "/" + prefix.length();
        }

        /** The lowest free slot whose address no excluded prefix covers; -1 when none is left. */
        long allocate(List<IpPrefix> excluded) {
            long slot = 0;
            while (true) {
                slot = used.nextFree(slot, hosts);
                if (slot < 0) {
                    return -1;
                }
                IpAddress a = first.plus(slot);
                IpPrefix covering = excluded.stream().filter(e -> e.contains(a)).findFirst().orElse(null);
                if (covering == null) {
                    used.add(slot);
                    return slot;
                }
                long past = covering.last().minus(first);
                if (past < 0 || past == Long.MAX_VALUE) {
                    return -1;
                }
                slot = past + 1;
            }
        }
    }

    /**
     * @param cidrs    the service's CIDRs: at most one per family, each with room for a host
     *                 besides the gateway
     * @param gateways one address in each CIDR, neither its network nor its broadcast address
     * @throws IllegalArgumentException naming what is wrong
     */
    public SegmentAddresses(String service, List<String> cidrs, List<String> gateways) {
        this.service = Objects.requireNonNull(service, "service");
        if (cidrs.isEmpty()) {
            throw new IllegalArgumentException("a segment needs the service's CIDRs: its subnets");
        }
        List<Subnet> out = new ArrayList<>();
        for (String cidr : cidrs) {
            IpPrefix p = IpPrefix.parse(cidr);
            if (out.stream().anyMatch(s -> s.prefix.isV6() == p.isV6())) {
                throw new IllegalArgumentException("a segment has one subnet per family; " + cidr + " is a second "
                        + (p.isV6() ? "IPv6" : "IPv4") + " one");
            }
            int host = p.network().bits() - p.length();
            if (host < 2) {
                throw new IllegalArgumentException("subnet " + cidr + " has no room for a gateway and a client");
            }
            List<IpAddress> in = gateways.stream().map(IpAddress::parse).filter(p::contains).toList();
            if (in.isEmpty()) {
                throw new IllegalArgumentException("no gateway inside subnet " + cidr + " (gateways " + gateways + ")");
            }
            Subnet s = new Subnet(p, in.getFirst());
            // Slots reach 2^63 hosts at most; a gateway above that in a large IPv6 subnet (TF's own is
            // the last but one of a /64) is valid, and no client is ever handed it.
            if (s.gateway.equals(p.network()) || (!p.isV6() && s.gateway.equals(p.last()))) {
                throw new IllegalArgumentException("gateway " + s.gateway + " is the network or broadcast address of " + cidr);
            }
            out.add(s);
        }
        for (String g : gateways) {
            IpAddress a = IpAddress.parse(g);
            if (out.stream().noneMatch(s -> s.prefix.contains(a))) {
                throw new IllegalArgumentException("gateway " + g + " is in none of the segment's subnets " + cidrs);
            }
        }
        this.subnets = List.copyOf(out);
    }

    /** The gateways with their prefix lengths, as every connection's destination addresses. */
    public List<String> gateways() {
        return subnets.stream().map(s -> s.withLength(s.gateway)).toList();
    }

    /**
     * The connection's addresses: its existing ones when the id is known, else one new host per
     * subnet, lowest free first, none inside {@code excludedPrefixes}.
     *
     * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT naming a malformed excluded prefix;
     *                                        RESOURCE_EXHAUSTED naming the subnet with no free address
     */
    public synchronized AddressPair allocate(String connectionId, List<String> excludedPrefixes) {
        long[] known = leases.get(connectionId);
        if (known != null) {
            return pairOf(known);
        }
        List<IpPrefix> excluded = new ArrayList<>();
        for (String e : excludedPrefixes == null ? List.<String>of() : excludedPrefixes) {
            try {
                excluded.add(IpPrefix.parseCovering(e));
            } catch (IllegalArgumentException x) {
                throw Status.INVALID_ARGUMENT.withDescription("excluded prefix '" + e + "' is not a valid CIDR").asRuntimeException();
            }
        }
        long[] slots = new long[subnets.size()];
        for (int i = 0; i < subnets.size(); i++) {
            long slot = subnets.get(i).allocate(excluded);
            if (slot < 0) {
                for (int j = 0; j < i; j++) {
                    subnets.get(j).used.remove(slots[j]); // every family or none
                }
                throw Status.RESOURCE_EXHAUSTED.withDescription("segment subnet " + subnets.get(i).prefix + " of service "
                        + service + " has no free address" + (excluded.isEmpty() ? "" : " (excluding "
                        + String.join(", ", excludedPrefixes) + ")")).asRuntimeException();
            }
            slots[i] = slot;
        }
        leases.put(connectionId, slots);
        return pairOf(slots);
    }

    /** Frees the connection's addresses; unknown ids are ignored. */
    public synchronized void release(String connectionId) {
        long[] slots = leases.remove(connectionId);
        if (slots != null) {
            for (int i = 0; i < slots.length; i++) {
                subnets.get(i).used.remove(slots[i]);
            }
        }
    }

    /**
     * Marks a stored connection's addresses taken. Idempotent for the same id and addresses.
     *
     * @throws IllegalArgumentException when an address is not a host of this segment's subnets
     * @throws IllegalStateException    when it is held by another connection
     */
    public synchronized void restore(String connectionId, List<String> clientAddrs) {
        long[] slots = new long[subnets.size()];
        java.util.Arrays.fill(slots, -1);
        for (String addr : clientAddrs) {
            IpAddress a = IpAddress.parse(addr.contains("/") ? addr.substring(0, addr.indexOf('/')) : addr);
            int i = indexOf(a);
            long slot = i < 0 ? -1 : subnets.get(i).slotOf(a);
            if (slot < 0 || a.equals(subnets.get(i).gateway)) {
                throw new IllegalArgumentException("connection " + connectionId + ": " + addr + " is not a client address of segment service " + service);
            }
            slots[i] = slot;
        }
        long[] known = leases.get(connectionId);
        if (known != null) {
            if (java.util.Arrays.equals(known, slots)) {
                return;
            }
            throw new IllegalStateException("connection " + connectionId + " already holds " + pairOf(known).clientAddrs()
                    + " in service " + service + ", cannot restore " + clientAddrs);
        }
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] >= 0 && subnets.get(i).used.contains(slots[i])) {
                throw new IllegalStateException("cannot restore connection " + connectionId + ": " + clientAddrs
                        + " is held by another connection of service " + service);
            }
        }
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] >= 0) {
                subnets.get(i).used.add(slots[i]);
            }
        }
        leases.put(connectionId, slots);
    }

    /** Clients on the segment now, and how many the subnets hold, per family. */
    public synchronized List<PoolUsage> usage() {
        List<PoolUsage> out = new ArrayList<>();
        for (Subnet s : subnets) {
            // the gateway's slot is taken from the start and is not a client
            out.add(new PoolUsage(s.prefix.isV6() ? PoolUsage.Kind.IPV6 : PoolUsage.Kind.IPV4, service + " " + s.prefix,
                    s.used.size() - 1, s.hosts - 1));
        }
        return out;
    }

    private int indexOf(IpAddress a) {
        for (int i = 0; i < subnets.size(); i++) {
            if (subnets.get(i).prefix.contains(a)) {
                return i;
            }
        }
        return -1;
    }

    private AddressPair pairOf(long[] slots) {
        List<String> client = new ArrayList<>();
        List<String> endpoint = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] >= 0) {
                Subnet s = subnets.get(i);
                client.add(s.withLength(s.first.plus(slots[i])));
                endpoint.add(s.withLength(s.gateway));
            }
        }
        return new AddressPair(endpoint, client);
    }
}
