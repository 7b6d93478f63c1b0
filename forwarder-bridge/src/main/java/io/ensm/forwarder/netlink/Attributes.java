package io.ensm.forwarder.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** The attributes of one netlink message (or of one nested attribute), by type. */
public final class Attributes {
    private static final int TYPE_MASK = 0x3fff;
    private static final Attributes EMPTY = new Attributes(Map.of());

    private final Map<Integer, ByteBuffer> values;

    private Attributes(Map<Integer, ByteBuffer> values) {
        this.values = values;
    }

    /** Parses the attributes between {@code from} and {@code to}; a truncated attribute ends the list. */
    static Attributes parse(ByteBuffer b, int from, int to) {
        Map<Integer, ByteBuffer> map = new HashMap<>();
        int p = from;
        while (p + 4 <= to) {
            int len = Short.toUnsignedInt(b.getShort(p));
            int type = Short.toUnsignedInt(b.getShort(p + 2)) & TYPE_MASK;
            if (len < 4 || p + len > to) {
                break;
            }
            map.put(type, b.slice(p + 4, len - 4).order(ByteOrder.nativeOrder()));
            p += MessageWriter.align(len);
        }
        return new Attributes(map);
    }

    public boolean has(int type) {
        return values.containsKey(type);
    }

    public Integer u32(int type) {
        ByteBuffer v = values.get(type);
        return v == null || v.remaining() < 4 ? null : v.getInt(0);
    }

    public Integer u16(int type) {
        ByteBuffer v = values.get(type);
        return v == null || v.remaining() < 2 ? null : Short.toUnsignedInt(v.getShort(0));
    }

    public Integer u8(int type) {
        ByteBuffer v = values.get(type);
        return v == null || v.remaining() < 1 ? null : Byte.toUnsignedInt(v.get(0));
    }

    public Integer be16(int type) {
        ByteBuffer v = values.get(type);
        return v == null || v.remaining() < 2 ? null : (Byte.toUnsignedInt(v.get(0)) << 8) | Byte.toUnsignedInt(v.get(1));
    }

    /** A string attribute without its terminating NUL. */
    public String string(int type) {
        byte[] raw = bytes(type);
        if (raw == null) {
            return null;
        }
        int n = 0;
        while (n < raw.length && raw[n] != 0) {
            n++;
        }
        return new String(raw, 0, n, StandardCharsets.UTF_8);
    }

    public byte[] bytes(int type) {
        ByteBuffer v = values.get(type);
        if (v == null) {
            return null;
        }
        byte[] out = new byte[v.remaining()];
        v.get(0, out);
        return out;
    }

    /** A 4- or 16-byte address attribute. */
    public InetAddress address(int type) {
        byte[] raw = bytes(type);
        if (raw == null || (raw.length != 4 && raw.length != 16)) {
            return null;
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public Attributes nested(int type) {
        ByteBuffer v = values.get(type);
        return v == null ? EMPTY : parse(v, 0, v.remaining());
    }
}
