package io.ensm.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.core.endpoint.monitor.ConnectionMonitor;
import io.ensm.core.endpoint.monitor.MonitorConnectionService;
import io.ensm.core.testing.ConnectionsWithTokens;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ensmctl watch against ensm's own monitor service when every connection together is far over gRPC's 4 MiB default. */
class EnsmctlWatchAtScaleTest {
    private static final int CONNECTIONS = 20_000;

    private final List<Connection> live = ConnectionsWithTokens.of(CONNECTIONS);
    private final Server server;

    EnsmctlWatchAtScaleTest() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new MonitorConnectionService(new ConnectionMonitor(() -> live)),
                        new EndAfterInitialState()))
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void watchPrintsEveryConnectionOfAnInitialStateSentInSeveralTransfers() {
        Cli.Result result = new Cli("127.0.0.1:" + server.getPort()).run("watch");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lines()).hasSize(CONNECTIONS)
                .allMatch(l -> l.matches("INITIAL_STATE_TRANSFER  ensm-\\d+  UP  svc  nse-a"));
        assertThat(result.lines().stream().distinct().count()).isEqualTo(CONNECTIONS);
    }

    /** Ends the stream once every connection went out, as a server going away would, so that the command returns. */
    private static final class EndAfterInitialState implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                private int sent;

                @Override
                public void sendMessage(A message) {
                    super.sendMessage(message);
                    sent += ((ConnectionEvent) message).getConnectionsCount();
                    if (sent == CONNECTIONS) {
                        super.close(Status.OK, new Metadata());
                    }
                }
            }, headers);
        }
    }
}
