package io.ensm.forwarder.bench;

import io.ensm.core.testing.Cmd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One iperf3 TCP run between two namespaces: a one-shot server in one, the client in the other. */
final class Iperf {
    private static final Pattern RECEIVED = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)",
            Pattern.DOTALL);

    private Iperf() {}

    /** Returns the receiver's throughput in bits per second. */
    static double tcp(String serverNs, String serverIp, String clientNs, int seconds) throws Exception {
        Process server = new ProcessBuilder("ip", "netns", "exec", serverNs, "iperf3", "-s", "-1", "-B", serverIp, "-p", "5201")
                .redirectErrorStream(true).start();
        try {
            List<String> cmd = new ArrayList<>(List.of("iperf3", "-c", serverIp, "-p", "5201", "-t", Integer.toString(seconds), "-J"));
            Cmd.Result r = null;
            for (int attempt = 0; attempt < 50; attempt++) {
                r = Cmd.inNetns(clientNs, cmd.toArray(String[]::new));
                // iperf3 -J may exit 0 with an "error" member when the server is not listening yet
                if (r.ok() && !r.output().contains("\"error\"")) {
                    break;
                }
                Thread.sleep(100); // the server may not listen yet
            }
            if (r == null || !r.ok() || r.output().contains("\"error\"")) {
                throw new IllegalStateException("iperf3 to " + serverIp + " failed: " + (r == null ? "" : r.output()));
            }
            Matcher m = RECEIVED.matcher(r.output());
            if (!m.find()) {
                throw new IllegalStateException("iperf3 output has no sum_received: " + r.output());
            }
            return Double.parseDouble(m.group(1));
        } finally {
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }
}
