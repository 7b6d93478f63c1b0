package io.ensm.forwarder.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink message: the 16-byte header, a family header (ifinfomsg, ifaddrmsg, ...)
 * and attributes, each padded to 4 bytes, nested attributes included. Host byte order except
 * where a field is defined in network order (UDP ports).
 */
public final class MessageWriter {
    static final int HEADER = 16;
    private static final int NLA_HEADER = 4;
    private static final int NLA_F_NESTED = 0x8000;

    private ByteBuffer buf = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());

    MessageWriter(int type, int flags) {
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
    }

    private void ensure(int more) {
        if (buf.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more)).order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    public MessageWriter u8(int v) {
        ensure(1);
        buf.put((byte) v);
        return this;
    }

    public MessageWriter u16(int v) {
        ensure(2);
        buf.putShort((short) v);
        return this;
    }

    public MessageWriter u32(int v) {
        ensure(4);
        buf.putInt(v);
        return this;
    }

    public MessageWriter attr(int type, byte[] value) {
        int len = NLA_HEADER + value.length;
        ensure(align(len));
        buf.putShort((short) len).putShort((short) type).put(value);
        pad();
        return this;
    }

    public MessageWriter attrU8(int type, int v) {
        return attr(type, new byte[] {(byte) v});
    }

    public MessageWriter attrU16(int type, int v) {
        return attr(type, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) v).array());
    }

    /** A 16-bit value in network byte order, as UDP ports are (IFLA_VXLAN_PORT, NDA_PORT). */
    public MessageWriter attrBe16(int type, int v) {
        return attr(type, new byte[] {(byte) (v >>> 8), (byte) v});
    }

    public MessageWriter attrU32(int type, int v) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    /** A NUL-terminated string, as the kernel expects for names and kinds. */
    public MessageWriter attrString(int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(b, b.length + 1));
    }

    /** Opens a nested attribute; pass the returned mark to {@link #end}. */
    public int begin(int type) {
        ensure(NLA_HEADER);
        int mark = buf.position();
        buf.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
        return mark;
    }

    /** Opens a nested attribute without the NESTED flag: needed for VETH_INFO_PEER, which carries a raw struct first. */
    public int beginRaw(int type) {
        ensure(NLA_HEADER);
        int mark = buf.position();
        buf.putShort((short) 0).putShort((short) type);
        return mark;
    }

    public MessageWriter end(int mark) {
        buf.putShort(mark, (short) (buf.position() - mark));
        return this;
    }

    private void pad() {
        while ((buf.position() & 3) != 0) {
            buf.put((byte) 0);
        }
    }

    static int align(int n) {
        return (n + 3) & ~3;
    }

    /** The finished message with its length and sequence number filled in. */
    ByteBuffer finish(int seq) {
        pad();
        buf.putInt(0, buf.position());
        buf.putInt(8, seq);
        ByteBuffer out = buf.duplicate().order(ByteOrder.nativeOrder());
        out.flip();
        return out;
    }
}
