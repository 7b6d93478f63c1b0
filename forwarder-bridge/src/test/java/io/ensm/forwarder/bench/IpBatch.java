package io.ensm.forwarder.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A long-lived {@code ip -n NS -batch -} process: commands are written to its standard input.
 * It prints nothing on success, so after a group of commands a marker command whose output is
 * known ({@code link show dev lo}) tells when the group is done; an error ends the process.
 */
final class IpBatch implements AutoCloseable {
    private final Process process;
    private final Writer in;
    private final BufferedReader out;
    private final String netns;

    IpBatch(String netns) throws IOException {
        this.netns = netns;
        this.process = new ProcessBuilder("ip", "-n", netns, "-o", "-batch", "-").redirectErrorStream(true).start();
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Runs the commands and waits until ip has done all of them. */
    void run(List<List<String>> commands) throws IOException {
        StringBuilder b = new StringBuilder();
        for (List<String> c : commands) {
            b.append(String.join(" ", c)).append('\n');
        }
        b.append("link show dev lo\n");
        in.write(b.toString());
        in.flush();
        String line = out.readLine();
        if (line == null || !line.contains(": lo:")) {
            throw new IOException("ip -batch in " + netns + " failed: " + line);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
