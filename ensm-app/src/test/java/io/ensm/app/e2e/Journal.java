package io.ensm.app.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the {@link JournalBackend} files from outside the ensm process. */
public record Journal(Path file, Path calls) {

    public static Journal in(Path dir) {
        return new Journal(dir.resolve("journal.txt"), dir.resolve("journal.txt.calls"));
    }

    /** One provisioned connection as the device sees it. */
    public record Entry(String id, int vlan, List<String> endpointAddrs, List<String> clientAddrs) {}

    /** Connection id (ensm's segment id) -> what is provisioned for it. */
    public Map<String, Entry> entries() {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (String line : lines(file)) {
            Map<String, String> f = new LinkedHashMap<>();
            String[] parts = line.split(" ");
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                f.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
            out.put(parts[0], new Entry(parts[0], Integer.parseInt(f.get("vlan")), split(f.get("endpoint")), split(f.get("client"))));
        }
        return out;
    }

    public String content() {
        return String.join("\n", lines(file));
    }

    /** Every provision/release call so far, e.g. "provision ID". */
    public List<String> callLog() {
        return lines(calls);
    }

    private static List<String> split(String s) {
        return s == null || s.isEmpty() ? List.of() : List.of(s.split(","));
    }

    private static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList() : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
