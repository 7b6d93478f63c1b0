package io.ensm.core.alloc;

/**
 * An IPv4 or IPv6 prefix ("10.0.0.0/24", "fd00::/64"): parse, validate, test containment.
 * {@link #parse} is strict (host bits must be zero) because a configured pool with host bits set
 * is most likely a typo; {@link #parseCovering} is lenient for prefixes coming from callers.
 */
public record IpPrefix(IpAddress network, int length) {

    public IpPrefix {
        if (length < 0 || length > network.bits()) {
            throw new IllegalArgumentException("prefix length " + length + " out of range for " + network);
        }
        if (!network.equals(mask(network, length))) {
            throw new IllegalArgumentException(network + "/" + length + " has host bits set");
        }
    }

    /** Parses "addr/len" whose host bits are zero. */
    public static IpPrefix parse(String text) {
        return parseAny(text, false);
    }

    /**
     * Parses "addr/len" or a bare address (a host prefix) and clears host bits, giving the prefix
     * that covers the value: "192.168.1.5/24" means 192.168.1.0/24.
     */
    public static IpPrefix parseCovering(String text) {
        return parseAny(text, true);
    }

    private static IpPrefix parseAny(String text, boolean covering) {
        if (text == null) {
            throw new IllegalArgumentException("null prefix");
        }
        String t = text.trim();
        int slash = t.indexOf('/');
        if (slash < 0 && !covering) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR (missing /length)");
        }
        IpAddress addr;
        int len;
        try {
            addr = IpAddress.parse(slash < 0 ? t : t.substring(0, slash));
            len = slash < 0 ? addr.bits() : parseLength(t.substring(slash + 1), addr.bits());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid CIDR: " + e.getMessage(), e);
        }
        IpAddress net = mask(addr, len);
        if (!covering && !net.equals(addr)) {
            throw new IllegalArgumentException("'" + text + "' has host bits set (did you mean " + net + "/" + len + "?)");
        }
        return new IpPrefix(net, len);
    }

    private static int parseLength(String s, int bits) {
        if (s.isEmpty() || s.length() > 3 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad prefix length '" + s + "'");
        }
        int len = Integer.parseInt(s);
        if (len > bits) {
            throw new IllegalArgumentException("prefix length " + len + " exceeds " + bits);
        }
        return len;
    }

    private static IpAddress mask(IpAddress a, int len) {
        if (!a.v6()) {
            long m = len == 0 ? 0 : (0xFFFFFFFFL << (32 - len)) & 0xFFFFFFFFL;
            return new IpAddress(false, 0, a.lo() & m);
        }
        long hiMask = len >= 64 ? -1L : (len == 0 ? 0 : -1L << (64 - len));
        long loMask = len <= 64 ? 0 : (len == 128 ? -1L : -1L << (128 - len));
        return new IpAddress(true, a.hi() & hiMask, a.lo() & loMask);
    }

    public boolean isV6() {
        return network.v6();
    }

    /** The last address of the prefix (the IPv4 broadcast address). */
    public IpAddress last() {
        int host = network.bits() - length;
        if (!network.v6()) {
            long hostMask = host == 0 ? 0 : (0xFFFFFFFFL >>> (32 - host));
            return new IpAddress(false, 0, network.lo() | hostMask);
        }
        long loHost = host >= 64 ? -1L : (host == 0 ? 0 : -1L >>> (64 - host));
        long hiHost = host <= 64 ? 0 : (host == 128 ? -1L : -1L >>> (128 - host));
        return new IpAddress(true, network.hi() | hiHost, network.lo() | loHost);
    }

    public boolean contains(IpAddress address) {
        return address.v6() == network.v6() && address.compareTo(network) >= 0 && address.compareTo(last()) <= 0;
    }

    public boolean contains(IpPrefix other) {
        return other.isV6() == isV6() && other.length >= length && contains(other.network);
    }

    public boolean overlaps(IpPrefix other) {
        return contains(other) || other.contains(this);
    }

    @Override
    public String toString() {
        return network + "/" + length;
    }
}
