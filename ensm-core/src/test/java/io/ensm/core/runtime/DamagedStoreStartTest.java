package io.ensm.core.runtime;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.testing.Requests;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** ensm starts on a store file with one damaged row: the other connections are served, the damaged one is set aside. */
class DamagedStoreStartTest {
    private static final byte[] GARBAGE = {(byte) 0xFF, 0x00, (byte) 0xFE, 0x13, 0x07};

    @TempDir
    Path dir;
    private EnsmRuntime runtime;
    private ManagedChannel channel;

    private EnsmSettings settings() {
        return new EnsmSettings("ensm-test", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null,
                dir.resolve("data"), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMinutes(1),
                1500, 1, 1000, List.of(new ServiceSpec("blue", Payload.ETHERNET, List.of("172.31.0.0/24"), List.of())),
                List.of(new EndpointDefinition(new EndpointSpec("box-1", "blue", Map.of()), "preprovisioned",
                        Map.of("uplink", "eth1", "vlans", "100-109", "plans", "fabric-vlan"))), null, Map.of());
    }

    private NetworkServiceGrpc.NetworkServiceBlockingStub start() {
        runtime = EnsmRuntime.start(settings(), SqliteConnectionStore::new, EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            channel = null;
        }
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        stop();
    }

    private static Connection request(NetworkServiceGrpc.NetworkServiceBlockingStub ns) {
        return ns.request(Requests.request().service("blue").mechanisms(Requests.vlan())
                .expires(Instant.now().plus(Duration.ofMinutes(10))).build());
    }

    private static String ownId(Connection reply) {
        return reply.getPath().getPathSegments(reply.getPath().getIndex() + 1).getId();
    }

    private void damage(String id) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data").resolve(SqliteConnectionStore.FILE_NAME));
             PreparedStatement s = c.prepareStatement("UPDATE connection SET phase = ? WHERE id = ?")) {
            s.setBytes(1, GARBAGE);
            s.setString(2, id);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void oneUnreadableRowDoesNotStopStartUpAndTheOthersAreServed() throws Exception {
        var ns = start();
        String damaged = ownId(request(ns));
        String intact = ownId(request(ns));
        stop();
        damage(damaged);

        var again = start();

        assertThat(runtime.connections().get(intact)).as("the intact connection").isPresent();
        assertThat(runtime.connections().get(damaged)).as("the damaged connection").isEmpty();
        assertThat(runtime.recovery().loaded()).isEqualTo(1);
        assertThat(runtime.status().quarantinedRecords()).as("reported for health and metrics").isEqualTo(1);
        Connection fresh = request(again);
        assertThat(fresh.getMechanism().getParametersOrThrow("vlan-id")).as("a new connection is served").isNotEmpty();
    }
}
