package io.ensm.forwarder.bench;

import java.util.Arrays;

/** Percentiles (nearest rank) of a set of durations in nanoseconds, printed in microseconds. */
record Stats(long[] sorted) {
    static Stats of(long[] samples) {
        long[] s = samples.clone();
        Arrays.sort(s);
        return new Stats(s);
    }

    long percentile(double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    double meanMicros() {
        return Arrays.stream(sorted).average().orElse(0) / 1000.0;
    }

    static String us(long nanos) {
        return String.format("%.0f", nanos / 1000.0);
    }

    String row(String label) {
        return "| " + label + " | " + us(percentile(50)) + " | " + us(percentile(90)) + " | " + us(percentile(99)) + " | "
                + String.format("%.0f", meanMicros()) + " |";
    }
}
