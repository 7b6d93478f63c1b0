package io.ensm.wire;

import static io.ensm.wire.NsmWire.NSE_REGISTRY;
import static io.ensm.wire.NsmWire.NS_REGISTRY;
import static io.ensm.wire.NsmWire.method;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ensm.core.registry.MutableClock;
import io.ensm.core.registry.TcpRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Talks to the embedded registry over TCP as a foreign NSM client would: raw bytes, numbers from the wire facts. */
class RegistryWireCompatibilityTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private final TcpRegistry tcp = new TcpRegistry(new MutableClock(T0), Duration.ofMinutes(1));

    @AfterEach
    void stop() throws InterruptedException {
        tcp.close();
    }

    private static byte[] nse(String name) {
        return NsmWire.nse(name, List.of("vlan"), Map.of("vlan", Map.of("site", "a")), "tcp://10.0.0.1:5001").toBytes();
    }

    @Test
    void registerReturnsTheEndpointWithExpiryAndRegistrationTimeInTheirFields() {
        WireFields got = WireFields.parse(RawWire.unary(tcp.channel, method(NSE_REGISTRY, "Register"), nse("nse-1")));

        assertThat(got.string(NsmWire.Nse.NAME)).isEqualTo("nse-1");
        assertThat(got.strings(NsmWire.Nse.NETWORK_SERVICE_NAMES)).containsExactly("vlan");
        assertThat(got.messageMap(NsmWire.Nse.NETWORK_SERVICE_LABELS).get("vlan")
                .stringMap(NsmWire.NetworkServiceLabels.LABELS)).isEqualTo(Map.of("site", "a"));
        assertThat(got.string(NsmWire.Nse.URL)).isEqualTo("tcp://10.0.0.1:5001");
        assertThat(got.message(NsmWire.Nse.EXPIRATION_TIME).varint(NsmWire.Timestamp.SECONDS))
                .isEqualTo(T0.getEpochSecond() + 60);
        assertThat(got.message(NsmWire.Nse.INITIAL_REGISTRATION_TIME).varint(NsmWire.Timestamp.SECONDS))
                .isEqualTo(T0.getEpochSecond());
    }

    @Test
    void findWithoutWatchReturnsMatchesInResponseObjectField() {
        RawWire.unary(tcp.channel, method(NSE_REGISTRY, "Register"), nse("nse-1"));
        RawWire.unary(tcp.channel, method(NSE_REGISTRY, "Register"), nse("nse-2"));

        List<byte[]> responses = RawWire.serverStreamToEnd(tcp.channel, method(NSE_REGISTRY, "Find"),
                NsmWire.query(WireWriter.message().string(NsmWire.Nse.NAME, "nse-2"), false).toBytes());

        assertThat(responses).hasSize(1);
        WireFields r = WireFields.parse(responses.getFirst());
        assertThat(r.message(NsmWire.Response.OBJECT).string(NsmWire.Nse.NAME)).isEqualTo("nse-2");
        assertThat(r.bool(NsmWire.Response.DELETED)).isFalse();
    }

    @Test
    void watchReportsUnregisterWithDeletedTrue() throws Exception {
        RawWire.unary(tcp.channel, method(NSE_REGISTRY, "Register"), nse("nse-1"));
        BlockingQueue<byte[]> events = new LinkedBlockingQueue<>();
        var call = RawWire.serverStream(tcp.channel, method(NSE_REGISTRY, "Find"),
                NsmWire.query(WireWriter.message(), true).toBytes(), collect(events));
        try {
            WireFields initial = WireFields.parse(events.poll(10, TimeUnit.SECONDS));
            assertThat(initial.message(NsmWire.Response.OBJECT).string(NsmWire.Nse.NAME)).isEqualTo("nse-1");

            byte[] empty = RawWire.unary(tcp.channel, method(NSE_REGISTRY, "Unregister"),
                    WireWriter.message().string(NsmWire.Nse.NAME, "nse-1").toBytes());
            assertThat(empty).isEmpty();

            WireFields deleted = WireFields.parse(events.poll(10, TimeUnit.SECONDS));
            assertThat(deleted.bool(NsmWire.Response.DELETED)).isTrue();
            assertThat(deleted.message(NsmWire.Response.OBJECT).string(NsmWire.Nse.NAME)).isEqualTo("nse-1");
        } finally {
            call.cancel("done", null);
        }
        assertThat(RawWire.serverStreamToEnd(tcp.channel, method(NSE_REGISTRY, "Find"),
                NsmWire.query(WireWriter.message(), false).toBytes())).isEmpty();
    }

    @Test
    void networkServiceRegisterFindUnregister() {
        byte[] ns = NsmWire.networkService("vlan", "ETHERNET").toBytes();
        WireFields got = WireFields.parse(RawWire.unary(tcp.channel, method(NS_REGISTRY, "Register"), ns));
        assertThat(got.string(NsmWire.NetworkService.NAME)).isEqualTo("vlan");
        assertThat(got.string(NsmWire.NetworkService.PAYLOAD)).isEqualTo("ETHERNET");

        List<byte[]> found = RawWire.serverStreamToEnd(tcp.channel, method(NS_REGISTRY, "Find"),
                NsmWire.query(WireWriter.message().string(NsmWire.NetworkService.PAYLOAD, "ETHERNET"), false).toBytes());
        assertThat(found).hasSize(1);
        assertThat(WireFields.parse(found.getFirst()).message(NsmWire.Response.OBJECT)
                .string(NsmWire.NetworkService.NAME)).isEqualTo("vlan");

        RawWire.unary(tcp.channel, method(NS_REGISTRY, "Unregister"), ns);
        assertThat(RawWire.serverStreamToEnd(tcp.channel, method(NS_REGISTRY, "Find"),
                NsmWire.query(WireWriter.message(), false).toBytes())).isEmpty();
    }

    @Test
    void badInputIsRejectedWithInvalidArgumentAndReason() {
        assertInvalid(method(NSE_REGISTRY, "Register"),
                NsmWire.nse("", List.of("vlan"), Map.of(), "tcp://a").toBytes(), "name is empty");
        assertInvalid(method(NSE_REGISTRY, "Register"),
                NsmWire.nse("nse-1", List.of(), Map.of(), "tcp://a").toBytes(), "network_service_names is empty");
        assertInvalid(method(NSE_REGISTRY, "Register"),
                NsmWire.nse("nse-1", List.of("vlan"), Map.of(), "tcp://a")
                        .message(NsmWire.Nse.EXPIRATION_TIME, WireWriter.timestamp(T0.getEpochSecond() - 5, 0)).toBytes(),
                "expiration_time");
        assertInvalid(method(NS_REGISTRY, "Register"), NsmWire.networkService("", "IP").toBytes(),
                "network service name is empty");
    }

    private void assertInvalid(String fullMethod, byte[] request, String reason) {
        assertThatThrownBy(() -> RawWire.unary(tcp.channel, fullMethod, request))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains(reason);
                });
    }

    private static StreamObserver<byte[]> collect(BlockingQueue<byte[]> into) {
        return new StreamObserver<>() {
            public void onNext(byte[] value) { into.add(value); }
            public void onError(Throwable t) {}
            public void onCompleted() {}
        };
    }
}
