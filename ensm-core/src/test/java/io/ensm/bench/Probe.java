package io.ensm.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/** Durations recorded from several threads into a fixed array while switched on; extra samples are dropped. */
final class Probe {
    private final long[] samples;
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean on;

    Probe(int capacity) {
        samples = new long[capacity];
    }

    void start() {
        count.set(0);
        on = true;
    }

    /** Stops recording and returns the samples, sorted. */
    long[] stop() {
        on = false;
        long[] out = Arrays.copyOf(samples, Math.min(count.get(), samples.length));
        Arrays.sort(out);
        return out;
    }

    void record(long nanos) {
        if (on) {
            int i = count.getAndIncrement();
            if (i < samples.length) {
                samples[i] = nanos;
            }
        }
    }
}
