package io.ensm.app.soak;

import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceGrpc.NetworkServiceBlockingStub;
import io.ensm.ctl.RequestFactory;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Soak against the lab (scripts/soak): a steady mix of Request, refresh, Close and connections left
 * to expire on the given endpoints for the given time, while ensm's heap after GC, threads, file
 * descriptors, links and connections are sampled. At the end every connection of the soak must be
 * gone again: ensm holds what it held before, with as many links. Exit code 0 when nothing failed
 * or leaked, 1 otherwise.
 */
public final class Soak {
    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        SoakOptions o = SoakOptions.parse(args);
        Files.createDirectories(o.out());
        Instant start = Instant.now();
        Tally tally = new Tally();
        AtomicInteger open = new AtomicInteger();
        Sampler sampler = new Sampler(o, tally, open, start);
        SoakReport report = new SoakReport(o.out());
        Sample before = sampler.sample("before");
        report.add(before);

        ManagedChannel channel = NettyChannelBuilder.forTarget(o.address()).usePlaintext().build();
        Supplier<NetworkServiceBlockingStub> stub = () -> NetworkServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
        RequestFactory requests = new RequestFactory(Clock.systemUTC(), "soak-" + ProcessHandle.current().pid());
        Pacer pacer = new Pacer(o.rate());
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicBoolean ensmGone = new AtomicBoolean();
        SplittableRandom seeds = new SplittableRandom(42);
        List<Thread> slots = new ArrayList<>();
        for (String endpoint : o.endpoints()) {
            slots.add(Thread.ofVirtual().name("soak-" + endpoint).start(
                    new Slot(endpoint, o, stub, requests, pacer, tally, open, stopping, seeds.split())));
        }
        Thread sampling = Thread.ofVirtual().name("soak-sampler").start(() -> sampleUntil(o, sampler, report, stopping, ensmGone));

        long end = System.nanoTime() + o.duration().toNanos();
        while (System.nanoTime() < end && !ensmGone.get()) {
            Thread.sleep(Math.min(1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
        }
        stopping.set(true);
        long trafficSeconds = Duration.between(start, Instant.now()).toSeconds();
        sampling.interrupt();
        sampling.join();
        for (Thread t : slots) {
            t.join(o.shortLifetime().plusSeconds(60));
        }
        channel.shutdown().awaitTermination(10, TimeUnit.SECONDS);

        List<String> verdicts = new ArrayList<>();
        boolean ok = !ensmGone.get();
        if (!ok) {
            verdicts.add("FAILED: ensm (pid " + o.pid() + ") went away during the soak");
        } else {
            // Connections left to expire are gone once ensm's expiry has run; give it a few seconds.
            Thread.sleep(5000);
            Sample after = sampler.sample("after");
            report.add(after);
            ok &= verdict(verdicts, "connections held by ensm", before.connections(), after.connections());
            ok &= verdict(verdicts, "ensm links", before.ensmLinks(), after.ensmLinks());
            ok &= verdict(verdicts, "connections the soak still holds", 0, open.get());
        }
        if (tally.errorCount() > 0) {
            ok = false;
            verdicts.add("FAILED: " + tally.errorCount() + " calls failed");
        }
        if (report.samples().stream().anyMatch(s -> !s.labPing())) {
            ok = false;
            verdicts.add("FAILED: the lab connection's ping failed in some samples");
        }
        String summary = SoakReport.summary(o, trafficSeconds, tally, report.samples(), verdicts);
        SoakReport.write(o.out().resolve("summary.txt"), summary, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        System.out.print(summary);
        System.exit(ok ? 0 : 1);
    }

    private static void sampleUntil(SoakOptions o, Sampler sampler, SoakReport report, AtomicBoolean stopping,
                                    AtomicBoolean ensmGone) {
        long next = System.nanoTime() + o.sampleEvery().toNanos();
        while (!stopping.get()) {
            try {
                Thread.sleep(Duration.ofNanos(Math.max(0, next - System.nanoTime())));
            } catch (InterruptedException e) {
                return;
            }
            next += o.sampleEvery().toNanos();
            try {
                report.add(sampler.sample("traffic"));
            } catch (RuntimeException e) {
                if (stopping.get()) {
                    return;
                }
                System.err.println("soak: event=sample-failed reason=\"" + e.getMessage() + "\"");
                if (ProcessHandle.of(o.pid()).map(p -> !p.isAlive()).orElse(true)) {
                    ensmGone.set(true);
                    return;
                }
            }
        }
    }

    private static boolean verdict(List<String> verdicts, String what, long before, long after) {
        boolean same = before == after;
        verdicts.add((same ? "ok: " : "FAILED: ") + what + " after the soak: " + after + " (before: " + before + ")");
        return same;
    }
}
