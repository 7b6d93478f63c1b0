package io.ensm.core.alloc;

/**
 * An IPv4 or IPv6 address held as an unsigned 128-bit number in two longs, so that address
 * arithmetic over an IPv6 /64 needs no BigInteger. IPv4 uses only the low 32 bits of {@code lo}.
 * Parsing is strict and never resolves names.
 */
public record IpAddress(boolean v6, long hi, long lo) implements Comparable<IpAddress> {

    public IpAddress {
        if (!v6 && (hi != 0 || (lo >>> 32) != 0)) {
            throw new IllegalArgumentException("IPv4 address out of range");
        }
    }

    /** Address width in bits: 32 or 128. */
    public int bits() {
        return v6 ? 128 : 32;
    }

    /** Parses a literal: dotted quad (no leading zeros) or RFC 4291 text (no zone id, no brackets). */
    public static IpAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        return text.indexOf(':') >= 0 ? parseV6(text) : new IpAddress(false, 0, parseV4(text, text));
    }

    private static long parseV4(String text, String whole) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw bad(whole);
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                throw bad(whole);
            }
            int octet = 0;
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                if (c < '0' || c > '9') {
                    throw bad(whole);
                }
                octet = octet * 10 + (c - '0');
            }
            if (octet > 255) {
                throw bad(whole);
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    private static IpAddress parseV6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            throw bad(text);
        }
        int[] head = groups(gap < 0 ? text : text.substring(0, gap), gap < 0, text);
        int[] tail = gap < 0 ? new int[0] : groups(text.substring(gap + 2), true, text);
        int total = head.length + tail.length;
        if ((gap < 0 && total != 8) || (gap >= 0 && total > 7)) {
            throw bad(text);
        }
        int[] all = new int[8];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, 8 - tail.length, tail.length);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = (hi << 16) | all[i];
            lo = (lo << 16) | all[i + 4];
        }
        return new IpAddress(true, hi, lo);
    }

    /** The 16-bit groups of one side of "::"; a dotted quad, only allowed at the very end, counts as two. */
    private static int[] groups(String side, boolean endsAddress, String whole) {
        if (side.isEmpty()) {
            return new int[0];
        }
        String[] parts = side.split(":", -1);
        boolean quadTail = endsAddress && parts[parts.length - 1].indexOf('.') >= 0;
        int[] out = new int[parts.length + (quadTail ? 1 : 0)];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (quadTail && i == parts.length - 1) {
                long v4 = parseV4(p, whole);
                out[i] = (int) (v4 >>> 16);
                out[i + 1] = (int) (v4 & 0xFFFF);
                break;
            }
            if (p.isEmpty() || p.length() > 4) {
                throw bad(whole);
            }
            int g = 0;
            for (int k = 0; k < p.length(); k++) {
                int d = Character.digit(p.charAt(k), 16);
                if (d < 0) {
                    throw bad(whole);
                }
                g = (g << 4) | d;
            }
            out[i] = g;
        }
        return out;
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("'" + text + "' is not an IP address");
    }

    /** This address plus an unsigned 64-bit offset (IPv6 carries into the high half). */
    public IpAddress plus(long unsignedOffset) {
        long newLo = lo + unsignedOffset;
        if (!v6) {
            return new IpAddress(false, 0, newLo & 0xFFFFFFFFL);
        }
        long carry = Long.compareUnsigned(newLo, lo) < 0 ? 1 : 0;
        return new IpAddress(true, hi + carry, newLo);
    }

    /**
     * {@code this - base} as an unsigned 64-bit number, or -1 when this is below base or the
     * difference does not fit 64 bits. Callers only use differences inside one pool, below 2^64-1.
     */
    public long minus(IpAddress base) {
        if (v6 != base.v6 || compareTo(base) < 0) {
            return -1;
        }
        long diffLo = lo - base.lo;
        long borrow = Long.compareUnsigned(lo, base.lo) < 0 ? 1 : 0;
        return hi - base.hi - borrow == 0 ? diffLo : -1;
    }

    @Override
    public int compareTo(IpAddress o) {
        if (v6 != o.v6) {
            return v6 ? 1 : -1;
        }
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    /** Dotted quad, or RFC 5952 canonical IPv6 text (lowercase, longest zero run compressed). */
    @Override
    public String toString() {
        if (!v6) {
            return (lo >>> 24) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF) + "." + (lo & 0xFF);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) ((hi >>> (48 - 16 * i)) & 0xFFFF);
            g[i + 4] = (int) ((lo >>> (48 - 16 * i)) & 0xFFFF);
        }
        int bestStart = -1;
        int bestLen = 1; // RFC 5952: a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
