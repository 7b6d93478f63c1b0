package io.ensm.core.identity;

import io.spiffe.exception.SocketEndpointAddressException;
import io.spiffe.workloadapi.Address;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.Watcher;
import io.spiffe.workloadapi.WorkloadApiClient;
import io.spiffe.workloadapi.X509Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An identity streamed from the SPIFFE Workload API (a SPIRE agent's socket). The agent pushes a
 * new X.509 context before the SVID expires and whenever bundles change; each push replaces the
 * current SVID. If the stream breaks, the client reconnects with backoff and the last SVID stays
 * in use meanwhile.
 */
public final class WorkloadApiIdentity extends RotatingIdentity {
    private static final Logger log = LoggerFactory.getLogger(WorkloadApiIdentity.class);

    private final String address;
    private final WorkloadApiClient client;
    private final CountDownLatch first = new CountDownLatch(1);
    private final AtomicReference<String> lastError = new AtomicReference<>("no answer");
    private volatile boolean closed;

    private WorkloadApiIdentity(String address) {
        this.address = address;
        try {
            Address.parseAddress(address);
            this.client = DefaultWorkloadApiClient.newClient(DefaultWorkloadApiClient.ClientOptions.builder()
                    .spiffeSocketPath(address).build());
        } catch (SocketEndpointAddressException | IllegalArgumentException e) {
            throw new IdentityException("invalid SPIFFE Workload API address '" + address
                    + "' (expected unix:///path/to/agent.sock or tcp://IP:PORT): " + e.getMessage());
        }
    }

    /**
     * Connects to the Workload API at {@code address} and waits up to {@code timeout} for the
     * first X.509-SVID.
     *
     * @throws IdentityException when the address is malformed or no SVID arrived in time
     */
    public static WorkloadApiIdentity connect(String address, Duration timeout) {
        WorkloadApiIdentity identity = new WorkloadApiIdentity(address);
        try {
            identity.start(timeout);
            return identity;
        } catch (RuntimeException e) {
            identity.close();
            throw e;
        }
    }

    private void start(Duration timeout) {
        client.watchX509Context(new Watcher<>() {
            @Override
            public void onUpdate(X509Context context) {
                try {
                    install(context.getDefaultSvid(), context.getX509BundleSet());
                    first.countDown();
                } catch (RuntimeException e) {
                    lastError.set(e.getMessage());
                    log.warn("event=svid-update-rejected source=\"{}\" reason=\"{}\" keeping=current", describe(), e.getMessage());
                }
            }

            @Override
            public void onError(Throwable error) {
                lastError.set(String.valueOf(error.getMessage()));
                if (!closed) {
                    log.warn("event=workload-api-error source=\"{}\" reason=\"{}\" keeping=current", describe(), error.getMessage());
                }
            }
        });
        try {
            if (!first.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IdentityException("no X.509-SVID from the SPIFFE Workload API at " + address + " within "
                        + timeout.toSeconds() + " s (last error: " + lastError.get() + "); is the SPIRE agent running "
                        + "and is this workload registered?");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IdentityException("interrupted while waiting for the SPIFFE Workload API at " + address);
        }
    }

    @Override
    public String describe() {
        return "spiffe-workload-api " + address;
    }

    @Override
    public void close() {
        closed = true;
        try {
            client.close();
        } catch (IOException | RuntimeException e) {
            log.debug("event=workload-api-close-failed reason=\"{}\"", e.getMessage());
        }
    }
}
