package io.ensm.core.alloc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The address pairs of one CIDR, numbered by slot: slot i is the pair (first + 2i, first + 2i + 1),
 * the first address for the endpoint side, the second for the client. Layout:
 * <ul>
 *   <li>IPv4 up to /30 starts after the network address and stops before the broadcast address,
 *       so a /30 is exactly one pair (.1, .2);</li>
 *   <li>IPv6 up to /126 starts after the network (subnet-router anycast) address; there is no
 *       broadcast, so the last address is usable;</li>
 *   <li>IPv4 /31 (RFC 3021) and IPv6 /127 (RFC 6164) are point-to-point links with no network or
 *       broadcast address: exactly one pair, both addresses;</li>
 *   <li>/32 and /128 hold no pair and are rejected.</li>
 * </ul>
 * Very large IPv6 prefixes are capped at 2^63-1 pairs (a /64 has exactly that many).
 * Not thread-safe: {@link AddressPool} guards it.
 */
final class PairRange {
    final IpPrefix prefix;
    private final IpAddress first;
    private final long pairs;
    private final SlotSet used = new SlotSet();
    /** No free slot lies below this one; makes the common allocation O(1). */
    private long lowestFree;

    PairRange(IpPrefix prefix) {
        this.prefix = prefix;
        int bits = prefix.network().bits();
        int host = bits - prefix.length();
        if (host == 0) {
            throw new IllegalArgumentException("CIDR " + prefix + " has no room for an address pair");
        }
        boolean pointToPoint = host == 1;
        this.first = pointToPoint ? prefix.network() : prefix.network().plus(1);
        if (pointToPoint) {
            pairs = 1;
        } else if (host >= 64) {
            pairs = Long.MAX_VALUE;
        } else {
            long addresses = 1L << host;
            long usable = addresses - (prefix.isV6() ? 1 : 2); // network, and broadcast for IPv4
            pairs = usable / 2;
        }
    }

    long pairs() {
        return pairs;
    }

    long used() {
        return used.size();
    }

    IpAddress endpoint(long slot) {
        return first.plus(2 * slot);
    }

    IpAddress client(long slot) {
        return first.plus(2 * slot + 1);
    }

    /** The slot whose address at {@code position} (0 endpoint, 1 client) is {@code a}, or -1. */
    long slotOf(IpAddress a, int position) {
        if (a.v6() != first.v6() || a.compareTo(first) < 0) {
            return -1;
        }
        long offset = a.minus(first); // -1 (too far) yields a slot beyond any pool below
        long slot = offset >>> 1;
        if ((offset & 1) != position || Long.compareUnsigned(slot, pairs) >= 0) {
            return -1;
        }
        return slot;
    }

    boolean isUsed(long slot) {
        return used.contains(slot);
    }

    boolean take(long slot) {
        return used.add(slot);
    }

    void free(long slot) {
        if (used.remove(slot) && slot < lowestFree) {
            lowestFree = slot;
        }
    }

    /** Takes the lowest free slot outside the excluded prefixes; -1 when there is none. */
    long allocate(List<IpPrefix> excluded) {
        long[][] skip = excludedSlots(excluded);
        long slot = lowestFree;
        int k = 0;
        while (true) {
            slot = used.nextFree(slot, pairs);
            if (slot < 0) {
                return -1;
            }
            while (k < skip.length && skip[k][1] < slot) {
                k++;
            }
            if (k < skip.length && skip[k][0] <= slot) {
                slot = skip[k][1] + 1;
                continue;
            }
            break;
        }
        if (excluded.isEmpty() || slot == lowestFree) {
            lowestFree = slot + 1;
        }
        used.add(slot);
        return slot;
    }

    /** Sorted, merged [from, to] slot intervals touched by the excluded prefixes. */
    private long[][] excludedSlots(List<IpPrefix> excluded) {
        if (excluded.isEmpty()) {
            return new long[0][];
        }
        IpAddress lastUsable = first.plus(2 * (pairs - 1) + 1);
        List<long[]> out = new ArrayList<>();
        for (IpPrefix ex : excluded) {
            if (!ex.overlaps(prefix)) {
                continue;
            }
            IpAddress lo = ex.network().compareTo(first) < 0 ? first : ex.network();
            IpAddress hi = ex.last().compareTo(lastUsable) > 0 ? lastUsable : ex.last();
            if (lo.compareTo(hi) > 0) {
                continue; // only the network or broadcast address was excluded
            }
            out.add(new long[] {lo.minus(first) >>> 1, hi.minus(first) >>> 1});
        }
        out.sort(Comparator.comparingLong(r -> r[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] r : out) {
            long[] last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && r[0] <= last[1] + 1) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                merged.add(r);
            }
        }
        return merged.toArray(new long[0][]);
    }
}
