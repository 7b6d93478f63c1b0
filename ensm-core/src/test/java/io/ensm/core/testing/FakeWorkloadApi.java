package io.ensm.core.testing;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc;
import io.spiffe.workloadapi.grpc.Workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A SPIFFE Workload API on a unix socket, answering FetchX509SVID like a SPIRE agent: it streams
 * the current SVID to every watcher and pushes each newly published one, and refuses requests
 * without the {@code workload.spiffe.io: true} header. Until the first publish it stays silent,
 * like an agent that has not attested the workload yet.
 */
public final class FakeWorkloadApi implements AutoCloseable {
    private static final Metadata.Key<String> SECURITY_HEADER = Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

    private final Path socket;
    private final EventLoopGroup group = new EpollEventLoopGroup(1);
    private final List<ServerCallStreamObserver<Workload.X509SVIDResponse>> watchers = new CopyOnWriteArrayList<>();
    private final Server server;
    private volatile Workload.X509SVIDResponse current;

    private FakeWorkloadApi(Path socket) {
        this.socket = socket;
        ServerInterceptor securityHeader = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                if (!"true".equals(headers.get(SECURITY_HEADER))) {
                    call.close(Status.INVALID_ARGUMENT.withDescription("security header missing from request"), new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                return next.startCall(call, headers);
            }
        };
        try {
            server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                    .channelType(EpollServerDomainSocketChannel.class)
                    .bossEventLoopGroup(group)
                    .workerEventLoopGroup(group)
                    .addService(ServerInterceptors.intercept(new Service(), securityHeader))
                    .build().start();
        } catch (IOException e) {
            group.shutdownGracefully();
            throw new UncheckedIOException(e);
        }
    }

    public static FakeWorkloadApi start(Path socket) {
        return new FakeWorkloadApi(socket);
    }

    /** The address as SPIFFE_ENDPOINT_SOCKET spells it. */
    public String address() {
        return "unix://" + socket.toAbsolutePath();
    }

    /** Makes {@code svid} current and pushes it to every open stream. */
    public void publish(TestCa.Svid svid) {
        Workload.X509SVIDResponse response = Workload.X509SVIDResponse.newBuilder()
                .addSvids(Workload.X509SVID.newBuilder()
                        .setSpiffeId(svid.spiffeId())
                        .setX509Svid(ByteString.copyFrom(TestCa.encoded(svid.leaf())))
                        .setX509SvidKey(ByteString.copyFrom(svid.key().getEncoded()))
                        .setBundle(ByteString.copyFrom(TestCa.encoded(svid.ca().certificate()))))
                .build();
        current = response;
        for (ServerCallStreamObserver<Workload.X509SVIDResponse> w : watchers) {
            send(w, response);
        }
    }

    public int watchers() {
        return (int) watchers.stream().filter(w -> !w.isCancelled()).count();
    }

    private void send(ServerCallStreamObserver<Workload.X509SVIDResponse> w, Workload.X509SVIDResponse r) {
        synchronized (w) {
            if (!w.isCancelled()) {
                w.onNext(r);
            }
        }
    }

    private final class Service extends SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase {
        @Override
        public void fetchX509SVID(Workload.X509SVIDRequest request, StreamObserver<Workload.X509SVIDResponse> observer) {
            var call = (ServerCallStreamObserver<Workload.X509SVIDResponse>) observer;
            call.setOnCancelHandler(() -> watchers.remove(call));
            watchers.add(call);
            Workload.X509SVIDResponse now = current;
            if (now != null) {
                send(call, now);
            }
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
