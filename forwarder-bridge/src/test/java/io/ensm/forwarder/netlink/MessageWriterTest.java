package io.ensm.forwarder.netlink;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/** The wire layout of requests, checked without a kernel. */
class MessageWriterTest {

    @Test
    void headerAttributesPaddingAndNestingAreLaidOutAsNetlinkDefines() {
        MessageWriter m = new MessageWriter(16, 0x5);
        m.u8(0).u8(0).u16(0).u32(7).u32(0).u32(0);
        m.attrString(3, "ab");
        int nest = m.begin(18);
        m.attrU32(1, 0x01020304);
        m.attrBe16(15, 4789);
        m.end(nest);
        ByteBuffer b = m.finish(42);

        assertThat(b.getInt(0)).as("length").isEqualTo(b.remaining()).isEqualTo(16 + 16 + 8 + 4 + 8 + 8);
        assertThat(Short.toUnsignedInt(b.getShort(4))).isEqualTo(16);
        assertThat(Short.toUnsignedInt(b.getShort(6))).isEqualTo(5);
        assertThat(b.getInt(8)).as("sequence").isEqualTo(42);
        assertThat(b.getInt(20)).as("ifindex").isEqualTo(7);
        // "ab\0" is 7 bytes with its header, padded to 8
        assertThat(Short.toUnsignedInt(b.getShort(32))).isEqualTo(7);
        assertThat(b.get(36)).isEqualTo((byte) 'a');
        assertThat(b.get(38)).isZero();
        // nested attribute: its length covers both children, NLA_F_NESTED set
        assertThat(Short.toUnsignedInt(b.getShort(40))).isEqualTo(4 + 8 + 8);
        assertThat(Short.toUnsignedInt(b.getShort(42))).isEqualTo(18 | 0x8000);

        Attributes top = Attributes.parse(b, 32, b.remaining());
        assertThat(top.string(3)).isEqualTo("ab");
        Attributes inner = top.nested(18);
        assertThat(inner.u32(1)).isEqualTo(0x01020304);
        assertThat(inner.be16(15)).as("ports are in network order").isEqualTo(4789);
        assertThat(inner.bytes(15)).containsExactly(0x12, 0xB5);
        assertThat(top.u32(99)).isNull();
        assertThat(top.nested(99).has(1)).isFalse();
    }

    @Test
    void aTruncatedAttributeEndsTheListInsteadOfReadingPastIt() {
        ByteBuffer b = ByteBuffer.allocate(12).order(java.nio.ByteOrder.nativeOrder());
        b.putShort(0, (short) 8).putShort(2, (short) 1).putInt(4, 9);
        b.putShort(8, (short) 40).putShort(10, (short) 2);
        Attributes a = Attributes.parse(b, 0, 12);
        assertThat(a.u32(1)).isEqualTo(9);
        assertThat(a.has(2)).isFalse();
    }
}
