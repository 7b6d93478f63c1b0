package io.ensm.netconf.bench;

/** What the NETCONF benchmarks share: their percentiles and their {@code key=value} arguments. */
final class Figures {

    private Figures() {
    }

    /** The {@code p}th percentile (nearest rank) of sorted nanoseconds, in milliseconds. */
    static double pct(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    /** The first {@code key=value} among {@code args}, else {@code dflt}. */
    static int intArg(String[] args, String key, int dflt) {
        for (String a : args) {
            if (a.startsWith(key + "=")) {
                return Integer.parseInt(a.substring(key.length() + 1));
            }
        }
        return dflt;
    }
}
