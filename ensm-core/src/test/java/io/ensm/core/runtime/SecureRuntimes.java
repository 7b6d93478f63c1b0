package io.ensm.core.runtime;

import io.ensm.core.authz.Policy;
import io.ensm.core.identity.PemFileIdentity;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.TestCa;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** ensm started with mutual TLS from PEM files written by a test CA: one service "blue", one endpoint "box-1". */
final class SecureRuntimes {
    static final String SERVICE = "blue";
    static final String ENDPOINT = "box-1";

    final PemFileIdentity identity;
    final EnsmRuntime runtime;
    final List<Policy> refusals = new CopyOnWriteArrayList<>();
    final TestCa.Files3 files;

    SecureRuntimes(TestCa.Svid svid, Path dir, Duration reloadInterval, Set<String> allowedCallers) {
        files = svid.writeTo(dir);
        identity = PemFileIdentity.load(files.svid(), files.key(), files.bundle(), reloadInterval);
        EnsmSettings settings = new EnsmSettings("ensm-tls", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null,
                Path.of("unused"), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMinutes(1),
                1500, 1, 1000, List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of("172.31.0.0/24"), List.of())),
                List.of(new EndpointDefinition(new EndpointSpec(ENDPOINT, SERVICE, Map.of()), "preprovisioned",
                        Map.of("uplink", "eth1", "vlans", "100-109", "plans", "fabric-vlan"))), null, Map.of());
        Security security = new Security(identity, Duration.ofMinutes(10), allowedCallers, refusals::add);
        EnsmRuntime started;
        try {
            started = EnsmRuntime.start(settings, d -> InMemoryConnectionStore.with(), EnsmRuntime.Transport.mtls(security, List.of()),
                    Clock.systemUTC());
        } catch (RuntimeException e) {
            identity.close();
            throw e;
        }
        runtime = started;
    }

    String target() {
        return "127.0.0.1:" + runtime.port();
    }

    void close() {
        try {
            runtime.close();
        } finally {
            identity.close();
        }
    }
}
