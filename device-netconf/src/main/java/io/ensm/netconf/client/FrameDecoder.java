package io.ensm.netconf.client;

import java.util.Arrays;

/**
 * Cuts the byte stream from a device into NETCONF messages (RFC 6242): end-of-message framing
 * ({@code ]]>]]>}, base:1.0, always used for the hello) and chunked framing (base:1.1, switched on
 * after both hellos advertise it). A message may arrive in any number of reads and chunks. One
 * reader only; after a {@link FramingException} the decoder stays broken.
 */
final class FrameDecoder {

    /** Receives each complete message; may call {@link #useChunked()} before returning. */
    @FunctionalInterface
    interface Sink {
        void message(byte[] message) throws FramingException;
    }

    private static final byte[] EOM = {']', ']', '>', ']', ']', '>'};
    /** KMP failure table of {@link #EOM}: on a mismatch after k matched bytes, fall back to FAIL[k-1]. */
    private static final int[] FAIL = {0, 1, 0, 1, 2, 3};
    private static final long MAX_CHUNK = 4294967295L;

    private enum Chunk { LF, HASH, SIZE_START, SIZE, DATA, END_LF }

    private final int maxMessageBytes;
    private final Sink sink;
    private byte[] buf = new byte[8192];
    private int len;
    private boolean chunked;
    private FramingException broken;

    private int eomMatched;
    private Chunk state = Chunk.LF;
    private long chunkSize;
    private long remaining;
    private int chunksInMessage;
    private volatile int chunksOfLastMessage;

    FrameDecoder(int maxMessageBytes, Sink sink) {
        this.maxMessageBytes = maxMessageBytes;
        this.sink = sink;
    }

    /** From the next byte on, messages are chunked (base:1.1). */
    void useChunked() {
        chunked = true;
        state = Chunk.LF;
    }

    boolean chunked() {
        return chunked;
    }

    /** How many chunks the last chunked message had (diagnostics and tests). */
    int chunksOfLastMessage() {
        return chunksOfLastMessage;
    }

    void feed(byte[] data, int off, int count) throws FramingException {
        if (broken != null) {
            throw broken;
        }
        try {
            int end = off + count;
            while (off < end) {
                off = chunked ? feedChunked(data, off, end) : feedEom(data, off, end);
            }
        } catch (FramingException e) {
            broken = e;
            throw e;
        }
    }

    /** Consumes bytes up to and including the end of one message (or all of them); returns the next offset. */
    private int feedEom(byte[] data, int off, int end) throws FramingException {
        while (off < end) {
            byte b = data[off++];
            append(b);
            while (eomMatched > 0 && b != EOM[eomMatched]) {
                eomMatched = FAIL[eomMatched - 1];
            }
            if (b == EOM[eomMatched]) {
                eomMatched++;
            }
            if (eomMatched == EOM.length) {
                eomMatched = 0;
                byte[] message = trimLeading(buf, len - EOM.length);
                reset();
                if (message.length > 0) {
                    sink.message(message);
                }
                return off;
            }
        }
        return off;
    }

    private int feedChunked(byte[] data, int off, int end) throws FramingException {
        while (off < end) {
            if (state == Chunk.DATA) {
                int n = (int) Math.min(remaining, end - off);
                append(data, off, n);
                off += n;
                remaining -= n;
                if (remaining == 0) {
                    state = Chunk.LF;
                }
                continue;
            }
            byte b = data[off++];
            switch (state) {
                case LF -> state = expect(b, '\n', Chunk.HASH);
                case HASH -> state = expect(b, '#', Chunk.SIZE_START);
                case SIZE_START -> {
                    if (b == '#') {
                        if (chunksInMessage == 0) {
                            throw new FramingException("end of chunks before any chunk");
                        }
                        state = Chunk.END_LF;
                    } else if (b >= '1' && b <= '9') {
                        chunkSize = b - '0';
                        state = Chunk.SIZE;
                    } else {
                        throw new FramingException("chunk size must start with a digit 1-9, got " + printable(b));
                    }
                }
                case SIZE -> {
                    if (b >= '0' && b <= '9') {
                        chunkSize = chunkSize * 10 + (b - '0');
                        if (chunkSize > MAX_CHUNK) {
                            throw new FramingException("chunk size exceeds " + MAX_CHUNK);
                        }
                    } else if (b == '\n') {
                        if (len + chunkSize > maxMessageBytes) {
                            throw new FramingException("message exceeds " + maxMessageBytes + " bytes");
                        }
                        remaining = chunkSize;
                        chunksInMessage++;
                        state = Chunk.DATA;
                    } else {
                        throw new FramingException("chunk size contains " + printable(b));
                    }
                }
                case END_LF -> {
                    expect(b, '\n', Chunk.LF);
                    byte[] message = Arrays.copyOf(buf, len);
                    reset();
                    chunksOfLastMessage = chunksInMessage;
                    chunksInMessage = 0;
                    state = Chunk.LF;
                    sink.message(message);
                    return off;
                }
                case DATA -> throw new IllegalStateException("handled above");
            }
        }
        return off;
    }

    private static Chunk expect(byte b, char wanted, Chunk next) throws FramingException {
        if (b != wanted) {
            throw new FramingException("expected " + printable((byte) wanted) + " in chunk framing, got " + printable(b));
        }
        return next;
    }

    private static String printable(byte b) {
        return b >= 0x21 && b < 0x7f ? "'" + (char) b + "'" : String.format("0x%02x", b & 0xff);
    }

    /** Starts the next message; a buffer grown for one large reply is not kept. */
    private void reset() {
        len = 0;
        if (buf.length > 1 << 20) {
            buf = new byte[8192];
        }
    }

    private void append(byte b) throws FramingException {
        ensure(1);
        buf[len++] = b;
    }

    private void append(byte[] data, int off, int n) throws FramingException {
        ensure(n);
        System.arraycopy(data, off, buf, len, n);
        len += n;
    }

    private void ensure(int extra) throws FramingException {
        if ((long) len + extra > maxMessageBytes + (chunked ? 0 : EOM.length)) {
            throw new FramingException("message exceeds " + maxMessageBytes + " bytes");
        }
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(len + extra, Math.min(buf.length * 2, maxMessageBytes + EOM.length)));
        }
    }

    /** Whitespace between end-of-message framed messages is not part of the next document. */
    private static byte[] trimLeading(byte[] b, int n) {
        int start = 0;
        while (start < n && (b[start] == ' ' || b[start] == '\n' || b[start] == '\r' || b[start] == '\t')) {
            start++;
        }
        return Arrays.copyOfRange(b, start, n);
    }
}
