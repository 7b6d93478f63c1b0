package io.ensm.openstack.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request lines Neutron and Keystone write to their own logs, read from a mark onwards: the
 * servers' count of what a client sent, independent of the client's own counting.
 */
final class ServerLogs {
    /** neutron-server: {@code "POST /v2.0/ports HTTP/1.1" status: 201  len: 1132 time: 0.0894854} */
    private static final Pattern NEUTRON = Pattern.compile("\"([A-Z]+) (/v2\\.0/\\S*) HTTP/1\\.1\" status: (\\d+).*time: ([0-9.]+)");
    /** uwsgi: {@code POST /v3/auth/tokens => generated 114 bytes in 150 msecs (HTTP/1.1 401)} */
    private static final Pattern KEYSTONE = Pattern.compile("\\} \\[[^]]*] ([A-Z]+) (/v3/\\S*) => generated .* in (\\d+) msecs \\(HTTP/1\\.1 (\\d+)\\)");

    record Request(String method, String path, int status, double seconds) {}

    private final Path neutron;
    private final Path keystone;
    private long neutronMark;
    private long keystoneMark;

    ServerLogs(Path neutron, Path keystone) {
        this.neutron = neutron;
        this.keystone = keystone;
    }

    /**
     * Requests logged from now on are the next window's. The servers write a request's line after
     * answering it, so the caller waits a moment after its last request before marking or reading.
     */
    void mark() {
        settle();
        neutronMark = neutron.toFile().length();
        keystoneMark = keystone.toFile().length();
    }

    List<Request> neutronSinceMark() {
        settle();
        List<Request> out = new ArrayList<>();
        for (String line : tail(neutron, neutronMark)) {
            Matcher m = NEUTRON.matcher(line);
            if (m.find()) {
                out.add(new Request(m.group(1), m.group(2), Integer.parseInt(m.group(3)), Double.parseDouble(m.group(4))));
            }
        }
        return out;
    }

    List<Request> keystoneSinceMark() {
        List<Request> out = new ArrayList<>();
        for (String line : tail(keystone, keystoneMark)) {
            Matcher m = KEYSTONE.matcher(line);
            if (m.find()) {
                out.add(new Request(m.group(1), m.group(2), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(3)) / 1000.0));
            }
        }
        return out;
    }

    private static void settle() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> tail(Path file, long from) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            if (length <= from) {
                return List.of();
            }
            byte[] bytes = new byte[(int) (length - from)];
            f.seek(from);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }
}
