package io.ensm.core.registry;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** An embedded registry served over real TCP on 127.0.0.1, with a plaintext channel to it. */
public final class TcpRegistry implements AutoCloseable {
    public final EmbeddedRegistry registry;
    public final ManagedChannel channel;
    private final int port;
    private Server server;

    public TcpRegistry(Clock clock, Duration expiry) {
        this.registry = new EmbeddedRegistry(clock, expiry);
        this.server = start(registry, 0);
        this.port = ((InetSocketAddress) server.getListenSockets().getFirst()).getPort();
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    public int port() {
        return port;
    }

    /** Serves on {@code port} (0 = any free port). */
    public static Server start(EmbeddedRegistry registry, int port) {
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .withOption(ChannelOption.SO_REUSEADDR, true);
        registry.services().forEach(b::addService);
        try {
            return b.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server; the channel stays and reconnects once something listens on the port again. */
    public void stopServer() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Serves a fresh, empty registry on the same port, as a restarted registry would. */
    public EmbeddedRegistry restartEmpty(Clock clock, Duration expiry) {
        EmbeddedRegistry fresh = new EmbeddedRegistry(clock, expiry);
        server = start(fresh, port());
        return fresh;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        registry.close();
    }
}
