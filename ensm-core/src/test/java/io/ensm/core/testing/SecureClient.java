package io.ensm.core.testing;

import io.ensm.core.identity.Identity;
import io.ensm.core.tls.MtlsCredentials;
import io.ensm.core.token.TokenCredentials;
import io.ensm.core.token.TokenMetadata;
import io.ensm.core.token.TokenMinter;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.CompositeChannelCredentials;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A client of ensm over mutual TLS with its own SVID, as an NSC or nsmgr would be: channels that
 * send NSM path tokens, or send chosen (bad) tokens, or none; and it records the serial of the
 * server certificate each call saw.
 */
public final class SecureClient {
    private final Identity identity;
    private final String target;
    private final AtomicReference<BigInteger> lastServerSerial = new AtomicReference<>();

    public SecureClient(Identity identity, String target) {
        this.identity = identity;
        this.target = target;
    }

    /** Sends this client's own tokens (sub = client, aud = [server]) on every call. */
    public ManagedChannel withTokens() {
        TokenMinter minter = new TokenMinter(identity, Duration.ofMinutes(10), Clock.systemUTC());
        return open(CompositeChannelCredentials.create(MtlsCredentials.client(identity), TokenCredentials.forNetworkService(minter)));
    }

    /** Sends exactly this token and expiry (RFC 3339) in metadata. */
    public ManagedChannel withToken(String token, String expires) {
        return open(CompositeChannelCredentials.create(MtlsCredentials.client(identity), new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata m = new Metadata();
                m.put(TokenMetadata.TOKEN, token);
                m.put(TokenMetadata.EXPIRES, expires);
                applier.apply(m);
            }
        }));
    }

    /** Mutual TLS, no tokens. */
    public ManagedChannel withoutTokens() {
        return open(MtlsCredentials.client(identity));
    }

    private ManagedChannel open(io.grpc.ChannelCredentials credentials) {
        return Grpc.newChannelBuilder(target, credentials).intercept(new ServerCertificateProbe()).build();
    }

    /** The serial of the certificate the server presented on the most recent call. */
    public BigInteger lastServerSerial() {
        return lastServerSerial.get();
    }

    public static void close(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class ServerCertificateProbe implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    super.start(new io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onHeaders(Metadata h) {
                            record();
                            super.onHeaders(h);
                        }

                        @Override
                        public void onClose(io.grpc.Status status, Metadata trailers) {
                            record();
                            super.onClose(status, trailers);
                        }
                    }, headers);
                }

                private void record() {
                    SSLSession session = getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                    if (session == null) {
                        return;
                    }
                    try {
                        lastServerSerial.set(((X509Certificate) session.getPeerCertificates()[0]).getSerialNumber());
                    } catch (SSLPeerUnverifiedException ignored) {
                        // no server certificate: nothing to record
                    }
                }
            };
        }
    }
}
