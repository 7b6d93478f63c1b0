package io.ensm.app.e2e;

import io.ensm.wire.NsmWire;
import io.ensm.wire.RawWire;
import io.ensm.wire.WireFields;
import io.ensm.wire.WireWriter;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A foreign NSM client built only from the wire facts (method names and field numbers, no generated
 * classes) sends bad input to the real service over TCP: each is refused with the right status and a
 * message naming what was wrong, and nothing is created.
 */
class WireBadInputTest {
    static final String REQUEST = NsmWire.method(NsmWire.NETWORK_SERVICE, "Request");
    static final String CLOSE = NsmWire.method(NsmWire.NETWORK_SERVICE, "Close");
    static final String MONITOR = NsmWire.method(NsmWire.MONITOR, "MonitorConnections");
    static final String CLIENT = "nsc-wire";

    @TempDir
    static Path dir;
    static EnsmProcess ensm;
    static Journal journal;
    static ManagedChannel channel;

    @BeforeAll
    static void start() {
        journal = Journal.in(dir);
        ensm = new EnsmProcess(dir, EndToEndTest.config(dir)).start();
        channel = NettyChannelBuilder.forTarget(ensm.target()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        try {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            if (ensm != null) {
                ensm.close();
            }
        }
    }

    static long inTenMinutes() {
        return Instant.now().plusSeconds(600).getEpochSecond();
    }

    static WireWriter vlan() {
        return NsmWire.mechanism("REMOTE", "VLAN", Map.of());
    }

    /** The caller's connection: its own segment at index 0. */
    static WireWriter connection(String id, String service) {
        return NsmWire.connection(id, service, Map.of(),
                NsmWire.path(0, List.of(NsmWire.pathSegment(CLIENT, id, "", inTenMinutes()))), "");
    }

    static WireWriter connection(String service) {
        return connection(UUID.randomUUID().toString(), service);
    }

    static byte[] request(WireWriter connection, WireWriter... mechanisms) {
        return NsmWire.networkServiceRequest(connection, List.of(mechanisms)).toBytes();
    }

    static Stream<Arguments> badRequests() {
        String svc = EndToEndTest.SERVICE;
        Map<String, String> manyLabels = new LinkedHashMap<>();
        for (int i = 0; i < 65; i++) {
            manyLabels.put("k" + i, "v");
        }
        String id = UUID.randomUUID().toString();
        return Stream.of(
                Arguments.of("missing connection",
                        WireWriter.message().message(NsmWire.NetworkServiceRequest.MECHANISM_PREFERENCES, vlan()).toBytes(),
                        Status.Code.INVALID_ARGUMENT, List.of("connection")),
                Arguments.of("empty network_service", request(connection(""), vlan()),
                        Status.Code.INVALID_ARGUMENT, List.of("network_service")),
                Arguments.of("unknown network_service", request(connection("no-such-service"), vlan()),
                        Status.Code.NOT_FOUND, List.of("no-such-service")),
                Arguments.of("unknown endpoint name",
                        request(connection(svc).string(NsmWire.Connection.NETWORK_SERVICE_ENDPOINT_NAME, "no-such-nse"), vlan()),
                        Status.Code.NOT_FOUND, List.of("no-such-nse")),
                Arguments.of("empty mechanism_preferences", request(connection(svc)),
                        Status.Code.INVALID_ARGUMENT, List.of("mechanism_preferences", "VLAN")),
                Arguments.of("only unsupported mechanisms",
                        request(connection(svc), NsmWire.mechanism("LOCAL", "KERNEL", Map.of()), NsmWire.mechanism("LOCAL", "MEMIF", Map.of())),
                        Status.Code.FAILED_PRECONDITION, List.of("KERNEL", "MEMIF", "VLAN")),
                Arguments.of("path index out of range",
                        request(NsmWire.connection(id, svc, Map.of(), NsmWire.path(3, List.of(NsmWire.pathSegment(CLIENT, id, "", inTenMinutes()))), ""), vlan()),
                        Status.Code.INVALID_ARGUMENT, List.of("path index 3")),
                Arguments.of("segment id not the connection id",
                        request(NsmWire.connection("conn-a", svc, Map.of(), NsmWire.path(0, List.of(NsmWire.pathSegment(CLIENT, "seg-b", "", inTenMinutes()))), ""), vlan()),
                        Status.Code.INVALID_ARGUMENT, List.of("conn-a", "seg-b")),
                Arguments.of("malformed src_ip_addrs",
                        request(connection(svc).message(NsmWire.Connection.CONTEXT, NsmWire.ipConnectionContext(List.of("10.0.0.300/32"), List.of())), vlan()),
                        Status.Code.INVALID_ARGUMENT, List.of("src_ip_addrs", "10.0.0.300/32")),
                Arguments.of("malformed excluded_prefixes",
                        request(connection(svc).message(NsmWire.Connection.CONTEXT, NsmWire.ipConnectionContext(List.of(), List.of("not-a-prefix"))), vlan()),
                        Status.Code.INVALID_ARGUMENT, List.of("excluded_prefixes", "not-a-prefix")),
                Arguments.of("too many labels", request(connection(svc).map(NsmWire.Connection.LABELS, manyLabels), vlan()),
                        Status.Code.INVALID_ARGUMENT, List.of("labels", "65")),
                Arguments.of("label value too long", request(connection(svc).map(NsmWire.Connection.LABELS, Map.of("app", "x".repeat(300))), vlan()),
                        Status.Code.INVALID_ARGUMENT, List.of("labels", "app")),
                Arguments.of("mechanism parameter value too long",
                        request(connection(svc), NsmWire.mechanism("REMOTE", "VLAN", Map.of("vlan-id", "1".repeat(1025)))),
                        Status.Code.INVALID_ARGUMENT, List.of("mechanism_preferences[0]", "vlan-id", "1024")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badRequestIsRefusedNamingTheProblemAndCreatesNothing(String what, byte[] request, Status.Code code, List<String> named)
            throws InterruptedException {
        assertThatThrownBy(() -> RawWire.unary(channel, REQUEST, request))
                .as(what)
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).as("status of %s: %s", what, e.getStatus()).isEqualTo(code);
                    assertThat(e.getStatus().getDescription()).as("message of %s", what).contains(named);
                });
        assertNoState();
    }

    @Test
    void closeOfAnUnknownIdIsOk() throws InterruptedException {
        String id = UUID.randomUUID().toString();
        assertThat(RawWire.unary(channel, CLOSE, connection(id, EndToEndTest.SERVICE).toBytes())).isEmpty();

        // Also when the path names ensm's segment with an id ensm does not know.
        String ensmId = UUID.randomUUID().toString();
        byte[] withEnsm = NsmWire.connection(id, EndToEndTest.SERVICE, Map.of(), NsmWire.path(0, List.of(
                NsmWire.pathSegment(CLIENT, id, "", inTenMinutes()),
                NsmWire.pathSegment(EndToEndTest.ENSM, ensmId, "", inTenMinutes()))), "").toBytes();
        assertThat(RawWire.unary(channel, CLOSE, withEnsm)).isEmpty();
        assertNoState();
    }

    @Test
    void concurrentRequestAndCloseOfOneIdNeverInterleave() throws Exception {
        List<String> ensmIds = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 50; round++) {
                byte[] reply = RawWire.unary(channel, REQUEST, request(connection(EndToEndTest.SERVICE), vlan()));
                ensmIds.add(ensmId(reply));
                byte[] refresh = WireWriter.message().bytes(NsmWire.NetworkServiceRequest.CONNECTION, reply)
                        .message(NsmWire.NetworkServiceRequest.MECHANISM_PREFERENCES, vlan()).toBytes();
                CyclicBarrier gate = new CyclicBarrier(2);
                Future<?> a = pool.submit(() -> call(gate, () -> RawWire.unary(channel, REQUEST, refresh), failures));
                Future<?> b = pool.submit(() -> call(gate, () -> RawWire.unary(channel, CLOSE, reply), failures));
                a.get(30, TimeUnit.SECONDS);
                b.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(failures).as("calls that failed").isEmpty();
        assertThat(ensm.isAlive()).isTrue();

        Set<String> inJournal = journal.entries().keySet();
        Set<String> inMonitor = monitoredIds();
        for (String id : ensmIds) {
            assertThat(inJournal.contains(id)).as("connection %s: in the journal %s, monitored %s", id,
                    inJournal.contains(id), inMonitor.contains(id)).isEqualTo(inMonitor.contains(id));
        }
        assertThat(inMonitor.stream().filter(ensmIds::contains).toList()).containsExactlyInAnyOrderElementsOf(inJournal);

        // The survivors close cleanly, and the service still serves.
        for (String id : inJournal) {
            RawWire.unary(channel, CLOSE, WireWriter.message().string(NsmWire.Connection.ID, id).toBytes());
        }
        assertNoState();
        byte[] reply = RawWire.unary(channel, REQUEST, request(connection(EndToEndTest.SERVICE), vlan()));
        RawWire.unary(channel, CLOSE, reply);
        assertNoState();
    }

    private interface Call {
        void run();
    }

    private static void call(CyclicBarrier gate, Call call, List<Throwable> failures) {
        try {
            gate.await(10, TimeUnit.SECONDS);
            call.run();
        } catch (Exception e) {
            failures.add(e);
        }
    }

    /** ensm's id in a reply: the segment after the caller's. */
    static String ensmId(byte[] reply) {
        WireFields c = WireFields.parse(reply);
        WireFields path = c.message(NsmWire.Connection.PATH);
        int index = (int) path.varint(NsmWire.Path.INDEX);
        return path.messages(NsmWire.Path.PATH_SEGMENTS).get(index + 1).string(NsmWire.PathSegment.ID);
    }

    /** Every path segment id in the monitor's initial state. */
    static Set<String> monitoredIds() throws InterruptedException {
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        ClientCall<byte[], byte[]> call = RawWire.serverStream(channel, MONITOR, new byte[0], new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
                events.add(value);
            }

            @Override
            public void onError(Throwable t) {
                events.add(t);
            }

            @Override
            public void onCompleted() {
                events.add("completed");
            }
        });
        try {
            Object first = events.poll(10, TimeUnit.SECONDS);
            assertThat(first).as("first monitor event").isInstanceOf(byte[].class);
            WireFields event = WireFields.parse((byte[]) first);
            assertThat(event.varint(NsmWire.ConnectionEvent.TYPE)).isEqualTo(NsmWire.ConnectionEvent.INITIAL_STATE_TRANSFER);
            return event.messageMap(NsmWire.ConnectionEvent.CONNECTIONS).values().stream()
                    .flatMap(c -> c.message(NsmWire.Connection.PATH).messages(NsmWire.Path.PATH_SEGMENTS).stream())
                    .map(s -> s.string(NsmWire.PathSegment.ID))
                    .collect(Collectors.toSet());
        } finally {
            call.cancel("done", null);
        }
    }

    static void assertNoState() throws InterruptedException {
        assertThat(journal.entries()).as("journal").isEmpty();
        assertThat(monitoredIds()).as("monitored connections").isEmpty();
    }
}
