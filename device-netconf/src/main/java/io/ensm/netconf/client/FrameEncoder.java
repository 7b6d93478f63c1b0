package io.ensm.netconf.client;

import java.nio.charset.StandardCharsets;

/** Frames one outgoing message (RFC 6242): end-of-message for the hello and base:1.0, one chunk for base:1.1. */
final class FrameEncoder {
    private static final byte[] EOM = "]]>]]>".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OF_CHUNKS = "\n##\n".getBytes(StandardCharsets.US_ASCII);

    private FrameEncoder() {}

    static byte[] frame(byte[] message, boolean chunked) {
        if (!chunked) {
            byte[] out = new byte[message.length + EOM.length];
            System.arraycopy(message, 0, out, 0, message.length);
            System.arraycopy(EOM, 0, out, message.length, EOM.length);
            return out;
        }
        byte[] header = ("\n#" + message.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[header.length + message.length + END_OF_CHUNKS.length];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(message, 0, out, header.length, message.length);
        System.arraycopy(END_OF_CHUNKS, 0, out, header.length + message.length, END_OF_CHUNKS.length);
        return out;
    }
}
