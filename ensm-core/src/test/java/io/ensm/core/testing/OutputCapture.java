package io.ensm.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies everything written to System.out and System.err while open (slf4j-simple writes its
 * log there) into a buffer, still passing it through, so a test can scan what an operator would
 * see. Close restores the original streams.
 */
public final class OutputCapture implements AutoCloseable {
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    /** Guards the buffer only; never held while touching a PrintStream, whose own lock writers hold. */
    private final Object lock = new Object();

    private OutputCapture() {
        System.setOut(new PrintStream(new Tee(originalOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(originalErr), true, StandardCharsets.UTF_8));
    }

    public static OutputCapture start() {
        return new OutputCapture();
    }

    /** Everything captured so far. */
    public String text() {
        System.out.flush();
        System.err.flush();
        synchronized (lock) {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        System.out.flush();
        System.err.flush();
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private final class Tee extends OutputStream {
        private final OutputStream passThrough;

        Tee(OutputStream passThrough) {
            this.passThrough = passThrough;
        }

        @Override
        public void write(int b) {
            synchronized (lock) {
                buffer.write(b);
            }
            try {
                passThrough.write(b);
            } catch (java.io.IOException ignored) {
                // the console is best effort; the capture is what the test reads
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (lock) {
                buffer.write(b, off, len);
            }
            try {
                passThrough.write(b, off, len);
            } catch (java.io.IOException ignored) {
                // see above
            }
        }
    }
}
