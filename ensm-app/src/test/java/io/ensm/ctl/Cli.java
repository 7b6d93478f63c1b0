package io.ensm.ctl;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Runs ensmctl in-process with captured output against a given address: with a fixed clock and
 * segment name for the command's own tests, or with the real clock against a running service.
 */
public final class Cli {

    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final String SEGMENT = "ensmctl-testhost";

    public record Result(int exitCode, String out, String err) {
        public List<String> lines() {
            return out.lines().toList();
        }
    }

    private final String address;
    private final String segment;
    private Clock clock;

    Cli(String address) {
        this(address, Clock.fixed(NOW, ZoneOffset.UTC), SEGMENT);
    }

    private Cli(String address, Clock clock, String segment) {
        this.address = address;
        this.clock = clock;
        this.segment = segment;
    }

    /** ensmctl as an operator runs it against the service at {@code address}: the real clock, this path segment name. */
    public static Cli against(String address, String segment) {
        return new Cli(address, Clock.systemUTC(), segment);
    }

    Cli at(Instant instant) {
        clock = Clock.fixed(instant, ZoneOffset.UTC);
        return this;
    }

    /** Runs {@code ensmctl --address ADDRESS args...}. */
    public Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--address", address));
        all.addAll(List.of(args));
        return runRaw(all.toArray(String[]::new));
    }

    Result runRaw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Ensmctl.commandLine(new Ensmctl(new ChannelFactory(), clock, segment));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
