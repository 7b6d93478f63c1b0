package io.ensm.app.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** samples.csv, written row by row (a cut-short run keeps its rows), and the summary at the end. */
final class SoakReport {
    private final Path csv;
    private final List<Sample> samples = new ArrayList<>();

    SoakReport(Path dir) {
        this.csv = dir.resolve("samples.csv");
        write(csv, String.join(",", Sample.HEADER) + "\n", StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    synchronized void add(Sample s) {
        samples.add(s);
        write(csv, s.csv() + "\n", StandardOpenOption.APPEND);
        System.out.println("soak: sample " + s.csv());
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** The summary text: calls, failures, and first/last/max of each series over the traffic phase and after it. */
    static String summary(SoakOptions o, long trafficSeconds, Tally tally, List<Sample> samples, List<String> verdicts) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "soak: %d s of traffic (asked %d s) at %.2f calls/s asked, endpoints %s%n",
                trafficSeconds, o.duration().toSeconds(), o.rate(), String.join(",", o.endpoints())));
        long calls = 0;
        for (String kind : List.of("request", "refresh", "close")) {
            Tally.Calls c = tally.calls(kind);
            calls += c.count();
            b.append(String.format(Locale.ROOT, "  %-8s %7d ok, mean %.1f ms, max %.1f ms%n", kind, c.count(),
                    c.meanMillis(), c.maxNanos() / 1e6));
        }
        b.append(String.format(Locale.ROOT, "  %-8s %7d connections left to expire%n", "expired", tally.count("expired")));
        b.append(String.format(Locale.ROOT, "  achieved %.2f successful calls/s%n", trafficSeconds == 0 ? 0.0 : (double) calls / trafficSeconds));
        Map<String, Long> errors = tally.errors();
        b.append("  failed calls: ").append(errors.isEmpty() ? "none" : errors.toString()).append('\n');
        long pingFails = samples.stream().filter(s -> !s.labPing()).count();
        b.append("  lab connection ping: ").append(samples.size() - pingFails).append('/').append(samples.size())
                .append(" samples ok\n");
        if (!samples.isEmpty()) {
            b.append(String.format(Locale.ROOT, "  %-40s %10s %10s %10s %10s%n", "series (" + samples.size() + " samples)",
                    "first", "last", "max", "after"));
            Sample after = samples.getLast();
            List<Sample> traffic = samples.stream().filter(s -> !s.phase().equals("after")).toList();
            Map<String, double[]> rows = new LinkedHashMap<>();
            for (Sample s : traffic) {
                s.series().forEach((k, v) -> {
                    double[] r = rows.computeIfAbsent(k, x -> new double[] {v, v, v});
                    r[1] = v;
                    r[2] = Math.max(r[2], v);
                });
            }
            rows.forEach((k, r) -> b.append(String.format(Locale.ROOT, "  %-40s %10s %10s %10s %10s%n", k, fmt(r[0]),
                    fmt(r[1]), fmt(r[2]), fmt(after.series().get(k)))));
        }
        verdicts.forEach(v -> b.append("  ").append(v).append('\n'));
        return b.toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static void write(Path file, String text, StandardOpenOption... options) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
