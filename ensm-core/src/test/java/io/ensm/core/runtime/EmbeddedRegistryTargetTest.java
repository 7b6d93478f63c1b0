package io.ensm.core.runtime;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.testing.InMemoryConnectionStore;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** ensm registers its endpoints in its own embedded registry over the address it listens on. */
class EmbeddedRegistryTargetTest {

    @Test
    void theTargetIsLoopbackForWildcardAndLoopbackListenersElseTheListenAddress() {
        assertThat(EnsmRuntime.selfTarget(InetAddress.ofLiteral("0.0.0.0"), 5003)).isEqualTo("127.0.0.1:5003");
        assertThat(EnsmRuntime.selfTarget(InetAddress.ofLiteral("::"), 5003)).isEqualTo("127.0.0.1:5003");
        assertThat(EnsmRuntime.selfTarget(InetAddress.ofLiteral("127.0.0.1"), 5003)).isEqualTo("127.0.0.1:5003");
        assertThat(EnsmRuntime.selfTarget(InetAddress.ofLiteral("::1"), 5003)).isEqualTo("[::1]:5003");
        assertThat(EnsmRuntime.selfTarget(InetAddress.ofLiteral("192.0.2.7"), 5003)).isEqualTo("192.0.2.7:5003");
        assertThat(EnsmRuntime.selfTarget(InetAddress.ofLiteral("2001:db8::7"), 5003)).isEqualTo("[2001:db8:0:0:0:0:0:7]:5003");
    }

    @Test
    void listeningOnOneNonLoopbackAddressTheEndpointsAreStillRegistered() throws Exception {
        Optional<InetAddress> address = hostAddress();
        assumeTrue(address.isPresent(), "SKIPPED: this host has no non-loopback IPv4 address that is up to listen on");
        EnsmSettings settings = new EnsmSettings("ensm-test", new InetSocketAddress(address.get(), 0),
                "tcp://" + address.get().getHostAddress() + ":0", null, Path.of("unused"), Duration.ofMinutes(10),
                Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMinutes(1), 1500, 1, 1000,
                List.of(new ServiceSpec("blue", Payload.ETHERNET, List.of("172.31.0.0/24"), List.of())),
                List.of(new EndpointDefinition(new EndpointSpec("box-1", "blue", Map.of()), "preprovisioned",
                        Map.of("uplink", "eth1", "vlans", "100-109", "plans", "fabric-vlan"))), null, Map.of());
        try (EnsmRuntime runtime = EnsmRuntime.start(settings, dir -> InMemoryConnectionStore.with(),
                EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!runtime.status().registered() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(runtime.status().registered()).as("registered; last registry error: %s", runtime.status().registryError())
                    .isTrue();
        }
    }

    private static Optional<InetAddress> hostAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }
}
