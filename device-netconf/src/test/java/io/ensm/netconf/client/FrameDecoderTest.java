package io.ensm.netconf.client;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 6242 framing with hand-made byte streams, split at every possible point. */
class FrameDecoderTest {
    private final List<String> messages = new ArrayList<>();

    private FrameDecoder decoder(int max) {
        return new FrameDecoder(max, m -> messages.add(new String(m, StandardCharsets.UTF_8)));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Feeds the stream in pieces of the given sizes, cycling. */
    private static void feedInPieces(FrameDecoder d, byte[] stream, int... sizes) throws FramingException {
        int off = 0;
        for (int i = 0; off < stream.length; i++) {
            int n = Math.min(sizes[i % sizes.length], stream.length - off);
            d.feed(stream, off, n);
            off += n;
        }
    }

    @Test
    void endOfMessageFramingSplitsMessagesAndDropsWhitespaceBetweenThem() throws Exception {
        FrameDecoder d = decoder(1 << 20);
        d.feed(bytes("<a/>]]>]]>\n<b>]]</b>]]>]]>"), 0, 26);
        assertThat(messages).containsExactly("<a/>", "<b>]]</b>");
    }

    @Test
    void endOfMessageDelimiterMayArriveOneByteAtATime() throws Exception {
        byte[] stream = bytes("<x>]]]>]]]]>]</x>]]>]]><y/>]]>]]>");
        for (int size = 1; size <= stream.length; size++) {
            messages.clear();
            feedInPieces(decoder(1 << 20), stream, size);
            assertThat(messages).as("pieces of %d bytes", size).containsExactly("<x>]]]>]]]]>]</x>", "<y/>");
        }
    }

    @Test
    void chunkedMessagesAreReassembledFromManyChunksAtEverySplit() throws Exception {
        String body = "<rpc-reply message-id=\"7\"><data>" + "x".repeat(50) + "</data></rpc-reply>";
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        // The same message cut into chunks of 1, 10 and the rest, then a second message in one chunk.
        s.writeBytes(bytes("\n#1\n" + body.charAt(0)));
        s.writeBytes(bytes("\n#10\n" + body.substring(1, 11)));
        s.writeBytes(bytes("\n#" + (body.length() - 11) + "\n" + body.substring(11)));
        s.writeBytes(bytes("\n##\n"));
        s.writeBytes(bytes("\n#4\n<z/>\n##\n"));
        byte[] stream = s.toByteArray();
        for (int size : new int[] {1, 2, 3, 5, 7, 64, stream.length}) {
            messages.clear();
            FrameDecoder d = decoder(1 << 20);
            d.useChunked();
            feedInPieces(d, stream, size);
            assertThat(messages).as("pieces of %d bytes", size).containsExactly(body, "<z/>");
            assertThat(d.chunksOfLastMessage()).isEqualTo(1);
        }
    }

    @Test
    void multiByteCharactersMayBeSplitAcrossChunks() throws Exception {
        byte[] text = bytes("<d>grüße</d>");
        FrameDecoder d = decoder(1 << 20);
        d.useChunked();
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.writeBytes(bytes("\n#6\n"));
        s.write(text, 0, 6); // ends inside the two bytes of 'ü'
        s.writeBytes(bytes("\n#" + (text.length - 6) + "\n"));
        s.write(text, 6, text.length - 6);
        s.writeBytes(bytes("\n##\n"));
        d.feed(s.toByteArray(), 0, s.size());
        assertThat(messages).containsExactly("<d>grüße</d>");
        assertThat(d.chunksOfLastMessage()).isEqualTo(2);
    }

    @Test
    void helloInEndOfMessageThenChunkedInTheSameRead() throws Exception {
        List<String> seen = new ArrayList<>();
        FrameDecoder[] holder = new FrameDecoder[1];
        holder[0] = new FrameDecoder(1 << 20, m -> {
            seen.add(new String(m, StandardCharsets.UTF_8));
            holder[0].useChunked(); // as the session does after the hello
        });
        byte[] stream = bytes("<hello/>]]>]]>\n#5\n<r/>x\n##\n");
        holder[0].feed(stream, 0, stream.length);
        assertThat(seen).containsExactly("<hello/>", "<r/>x");
    }

    @Test
    void malformedChunksAreRefusedAndTheDecoderStaysBroken() {
        String[] bad = {
                "#4\n<a/>\n##\n",          // missing LF before '#'
                "\n4\n<a/>\n##\n",         // missing '#'
                "\n#04\n<a/>\n##\n",       // leading zero
                "\n#0\n\n##\n",            // zero size
                "\n#x\n",                  // not a number
                "\n#4 \n<a/>\n##\n",       // junk after the size
                "\n##\n",                  // end of chunks with no chunk
                "\n#4\n<a/>\n#",           // then "#" must be followed by a size or '#'
                "\n#4\n<a/>X",             // junk instead of LF after the data
                "\n#4294967296\n",         // beyond the largest chunk size
        };
        for (String b : bad) {
            FrameDecoder d = decoder(1 << 20);
            d.useChunked();
            byte[] stream = bytes(b + "\n#\n");
            assertThatThrownBy(() -> d.feed(stream, 0, stream.length)).as("stream %s", b.replace("\n", "\\n"))
                    .isInstanceOf(FramingException.class);
            assertThatThrownBy(() -> d.feed(bytes("\n#1\nx\n##\n"), 0, 10)).isInstanceOf(FramingException.class);
        }
    }

    @Test
    void messagesAboveTheLimitAreRefusedInBothFramings() {
        FrameDecoder chunked = decoder(16);
        chunked.useChunked();
        byte[] big = bytes("\n#17\n" + "y".repeat(17) + "\n##\n");
        assertThatThrownBy(() -> chunked.feed(big, 0, big.length)).isInstanceOf(FramingException.class)
                .hasMessageContaining("exceeds 16 bytes");

        FrameDecoder eom = decoder(16);
        byte[] longEom = bytes("z".repeat(40) + "]]>]]>");
        assertThatThrownBy(() -> eom.feed(longEom, 0, longEom.length)).isInstanceOf(FramingException.class);
    }

    @Test
    void encoderOutputDecodesToTheSameMessage() throws Exception {
        byte[] msg = bytes("<rpc message-id=\"1\"><get/></rpc>");
        FrameDecoder d = decoder(1 << 20);
        byte[] eom = FrameEncoder.frame(msg, false);
        d.feed(eom, 0, eom.length);
        d.useChunked();
        byte[] chunk = FrameEncoder.frame(msg, true);
        assertThat(new String(chunk, StandardCharsets.US_ASCII)).startsWith("\n#" + msg.length + "\n").endsWith("\n##\n");
        d.feed(chunk, 0, chunk.length);
        assertThat(messages).containsExactly(new String(msg, StandardCharsets.UTF_8), new String(msg, StandardCharsets.UTF_8));
    }
}
