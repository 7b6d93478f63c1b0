package io.ensm.core.tls;

import io.ensm.core.identity.Identity;
import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextServerCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSslSessionContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.spiffe.provider.SpiffeKeyManager;
import io.spiffe.provider.SpiffeTrustManager;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSessionContext;

/**
 * gRPC credentials for mutual TLS with SPIFFE X.509-SVIDs, as NSM components use: each side
 * presents its SVID, and a peer is accepted when its chain verifies against the bundle of the
 * peer's trust domain (any SPIFFE ID of a trusted domain, like NSM's {@code AuthorizeAny}; which
 * IDs may call is decided per call, see {@code AllowedCallers}). There is no host name check:
 * SPIFFE identities live in URI SANs, not DNS names. The key and trust managers read the
 * identity on every handshake, so rotation needs no rebuild.
 *
 * <p>TLS session resumption is off: a resumed session carries the certificates of the handshake
 * it resumes, so a reconnect after a rotation would still present (and accept) the old SVID,
 * even past its expiry, and path tokens signed with the new key would not verify against it.
 */
public final class MtlsCredentials {
    private MtlsCredentials() {}

    private static void withoutResumption(SslContext context) {
        SSLSessionContext sessions = context.sessionContext();
        if (sessions instanceof OpenSslSessionContext openSsl) {
            openSsl.setSessionCacheEnabled(false);
        } else if (sessions != null) {
            // The JDK's cache has no off switch (size and timeout 0 mean unlimited): keep sessions 1 s.
            sessions.setSessionCacheSize(1);
            sessions.setSessionTimeout(1);
        }
    }

    /** Server side: a client certificate is required. */
    public static ServerCredentials server(Identity identity) {
        try {
            SslContext context = GrpcSslContexts.configure(SslContextBuilder.forServer(new SpiffeKeyManager(identity)))
                    .trustManager(new SpiffeTrustManager(identity))
                    .clientAuth(ClientAuth.REQUIRE)
                    .build();
            withoutResumption(context);
            return NettySslContextServerCredentials.create(context);
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for the gRPC server: " + e.getMessage(), e);
        }
    }

    /** Client side: presents the SVID and checks the server's. */
    public static ChannelCredentials client(Identity identity) {
        try {
            SslContext context = GrpcSslContexts.configure(SslContextBuilder.forClient().keyManager(new SpiffeKeyManager(identity)))
                    .trustManager(new SpiffeTrustManager(identity))
                    .build();
            withoutResumption(context);
            return NettySslContextChannelCredentials.create(context);
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for gRPC clients: " + e.getMessage(), e);
        }
    }
}
