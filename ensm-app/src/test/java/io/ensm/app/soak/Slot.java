package io.ensm.app.soak;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.networkservice.NetworkServiceGrpc.NetworkServiceBlockingStub;
import io.ensm.ctl.MechanismSpec;
import io.ensm.ctl.RequestFactory;
import io.grpc.StatusRuntimeException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The life of connections on one endpoint, one at a time (an access uplink carries one): a Request,
 * then either a few refreshes and a Close, or (one cycle in four) nothing until ensm closes it on
 * expiry. The next Request on the endpoint then proves the expiry freed the endpoint's VLAN.
 */
final class Slot implements Runnable {
    private static final Duration LONG_LIFETIME = Duration.ofMinutes(10);
    private static final Duration EXPIRY_GRACE = Duration.ofSeconds(3);

    private final String endpoint;
    private final SoakOptions options;
    private final Supplier<NetworkServiceBlockingStub> stub;
    private final RequestFactory requests;
    private final Pacer pacer;
    private final Tally tally;
    private final AtomicInteger open;
    private final AtomicBoolean stopping;
    private final RandomGenerator random;
    private final Mechanism vxlan;

    Slot(String endpoint, SoakOptions options, Supplier<NetworkServiceBlockingStub> stub, RequestFactory requests,
         Pacer pacer, Tally tally, AtomicInteger open, AtomicBoolean stopping, RandomGenerator random) {
        this.endpoint = endpoint;
        this.options = options;
        this.stub = stub;
        this.requests = requests;
        this.pacer = pacer;
        this.tally = tally;
        this.open = open;
        this.stopping = stopping;
        this.random = random;
        this.vxlan = MechanismSpec.parse("VXLAN:src_ip=" + options.srcIp() + ",src_port=4789");
    }

    @Override
    public void run() {
        while (!stopping.get()) {
            boolean expiring = random.nextInt(4) == 0;
            Connection c = call("request", () -> stub.get().request(requests.request(ask(expiring))));
            if (c == null) {
                pause(Duration.ofSeconds(1));
                continue;
            }
            open.incrementAndGet();
            if (expiring) {
                pause(options.shortLifetime().plus(EXPIRY_GRACE));
                tally.event("expired");
                open.decrementAndGet();
                continue;
            }
            int refreshes = 1 + random.nextInt(5);
            for (int i = 0; i < refreshes && !stopping.get(); i++) {
                Connection current = c;
                Connection refreshed = call("refresh", () -> stub.get().request(requests.refresh(current, LONG_LIFETIME)));
                if (refreshed != null) {
                    c = refreshed;
                }
            }
            close(c);
        }
    }

    private RequestFactory.Ask ask(boolean expiring) {
        return new RequestFactory.Ask(null, options.service(), endpoint, Map.of(), null,
                expiring ? options.shortLifetime() : LONG_LIFETIME, List.of(), List.of(vxlan));
    }

    /** Closes, retrying a few times; a connection that cannot be closed is reported and left open. */
    private void close(Connection c) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (call("close", () -> stub.get().close(c)) != null) {
                open.decrementAndGet();
                return;
            }
            pause(Duration.ofSeconds(1));
        }
        System.err.println("soak: event=close-abandoned endpoint=" + endpoint + " connection=" + c.getId());
    }

    private <T> T call(String kind, Supplier<T> rpc) {
        pacer.acquire();
        long start = System.nanoTime();
        try {
            T reply = rpc.get();
            tally.ok(kind, System.nanoTime() - start);
            return reply;
        } catch (StatusRuntimeException e) {
            String status = e.getStatus().getCode().name();
            tally.failed(kind, status);
            if (tally.errorCount() <= 20 || tally.errorCount() % 100 == 0) {
                System.err.println("soak: event=call-failed call=" + kind + " endpoint=" + endpoint + " status=" + status
                        + " description=\"" + e.getStatus().getDescription() + "\"");
            }
            return null;
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
