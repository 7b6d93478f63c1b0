package io.ensm.netconf.bench;

import io.ensm.netconf.testbed.NetconfTestbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Python driver {@code device-netconf/src/test/python/ncclient_bench.py} (python3-ncclient) as a
 * child process, one command at a time, so its runs interleave with ensm's. It times its own work
 * and answers in nanoseconds; the pipe round trip is not counted.
 */
final class NcclientDriver implements AutoCloseable {
    private final Process process;
    private final Writer in;
    private final BufferedReader out;
    private final Path sample;

    private NcclientDriver(Process process, Path sample) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.sample = sample;
    }

    /** Starts the driver against the test bed's device and waits until its session is up. */
    static NcclientDriver start(String python, Path script, NetconfTestbed.Device d, String sampleXml) throws IOException {
        if (!Files.isRegularFile(script)) {
            throw new IOException("ncclient driver not found: " + script);
        }
        Path sample = Files.createTempFile("ensm-bench-sample", ".xml");
        Files.writeString(sample, sampleXml);
        Process p = new ProcessBuilder(List.of(python, script.toString(), "--host", d.host(), "--port", Integer.toString(d.port()),
                "--user", d.username(), "--password-file", d.passwordFile().toString(),
                "--known-hosts", d.knownHosts().toString(), "--sample", sample.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        NcclientDriver driver = new NcclientDriver(p, sample);
        String ready = driver.out.readLine();
        if (!"ready ncclient".equals(ready)) {
            driver.close();
            throw new IOException("ncclient driver did not start (said " + ready + "); its error output is above");
        }
        return driver;
    }

    /** Runs one command ("bare", "txn", "fresh") and returns its time in nanoseconds. */
    long run(String command) throws IOException {
        in.write(command + "\n");
        in.flush();
        String answer = out.readLine();
        if (answer == null) {
            throw new IOException("ncclient driver ended during '" + command + "'; its error output is above");
        }
        if (!answer.startsWith("ok ")) {
            throw new IOException("ncclient driver, " + command + ": " + answer);
        }
        return Long.parseLong(answer.substring(3).strip());
    }

    @Override
    public void close() throws IOException {
        try {
            in.write("quit\n");
            in.flush();
        } catch (IOException e) {
            // Already gone; the process is reaped below.
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            Files.deleteIfExists(sample);
        }
    }

    static String version(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import ncclient; print(ncclient.__version__)").start();
            try (InputStream s = p.getInputStream()) {
                String v = new String(s.readAllBytes(), StandardCharsets.UTF_8).strip();
                return p.waitFor() == 0 ? v : "unknown";
            }
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
