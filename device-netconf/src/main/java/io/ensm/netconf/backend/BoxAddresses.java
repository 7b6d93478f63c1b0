package io.ensm.netconf.backend;

import io.ensm.core.model.Allocation;
import org.onlab.packet.IpAddress;
import org.onlab.packet.IpPrefix;
import org.onosproject.net.host.InterfaceIpAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * The box-side addresses of an allocation. ensm hands the NSE side the endpoint address of each
 * pair as a host route ({@code /32}, {@code /128}); on a box port the address needs the pair's
 * subnet, the shortest prefix holding both the endpoint and the client address of the pair.
 */
final class BoxAddresses {

    private BoxAddresses() {}

    static List<InterfaceIpAddress> of(Allocation allocation) {
        List<InterfaceIpAddress> out = new ArrayList<>();
        List<String> endpoint = allocation.endpointAddrs();
        for (int i = 0; i < endpoint.size(); i++) {
            IpAddress mine = host(endpoint.get(i), "endpointAddrs[" + i + "]");
            int length = mine.isIp4() ? 32 : 128;
            if (i < allocation.clientAddrs().size()) {
                IpAddress peer = host(allocation.clientAddrs().get(i), "clientAddrs[" + i + "]");
                if (peer.version() != mine.version()) {
                    throw new IllegalArgumentException("clientAddrs[" + i + "]: " + peer + " is not of the family of " + mine);
                }
                length = commonPrefix(mine.toOctets(), peer.toOctets());
            }
            out.add(new InterfaceIpAddress(mine, IpPrefix.valueOf(mine, length)));
        }
        return out;
    }

    /**
     * The gateway addresses of a segment as the box holds them: each endpoint address with the
     * prefix length the allocation gives it (its subnet's), not a host route.
     */
    static List<InterfaceIpAddress> ofSegment(Allocation allocation) {
        List<InterfaceIpAddress> out = new ArrayList<>();
        List<String> gateways = allocation.endpointAddrs();
        for (int i = 0; i < gateways.size(); i++) {
            String cidr = gateways.get(i);
            String field = "endpointAddrs[" + i + "]";
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException(field + ": '" + cidr + "' has no prefix length (a segment's gateway carries its subnet's)");
            }
            IpAddress ip = host(cidr, field);
            int length;
            try {
                length = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(field + ": '" + cidr + "' has no numeric prefix length", e);
            }
            int max = ip.isIp4() ? 32 : 128;
            if (length < 1 || length > max) {
                throw new IllegalArgumentException(field + ": prefix length " + length + " is outside 1-" + max);
            }
            out.add(new InterfaceIpAddress(ip, IpPrefix.valueOf(ip, length)));
        }
        return out;
    }

    private static IpAddress host(String cidr, String field) {
        int slash = cidr.indexOf('/');
        try {
            return IpAddress.valueOf(slash < 0 ? cidr : cidr.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": '" + cidr + "' is not an address", e);
        }
    }

    static int commonPrefix(byte[] a, byte[] b) {
        int bits = 0;
        for (int i = 0; i < a.length; i++) {
            int x = (a[i] ^ b[i]) & 0xff;
            if (x == 0) {
                bits += 8;
                continue;
            }
            return bits + Integer.numberOfLeadingZeros(x) - 24;
        }
        return bits;
    }
}
