package io.ensm.ctl;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;

/**
 * The one place where ensmctl opens gRPC channels. Plaintext for now; transport security is
 * configured here when it is added.
 */
public final class ChannelFactory {

    /** Opens a channel to {@code host:port} (IPv6 hosts in brackets, e.g. {@code [::1]:5003}). */
    public ManagedChannel open(String address) {
        return Grpc.newChannelBuilder(address, credentials())
                .userAgent("ensmctl")
                .build();
    }

    private ChannelCredentials credentials() {
        return InsecureChannelCredentials.create();
    }

    /** Shuts a channel down without waiting for calls that were left running. */
    public static void close(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
