package io.ensm.core.tls;

import io.ensm.core.chain.Caller;
import io.ensm.core.identity.Svids;
import io.grpc.Attributes;
import io.grpc.Grpc;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;

/** The peer of a gRPC call or connection, read from its TLS session. */
public final class Callers {
    private Callers() {}

    /** The verified peer of a server call (or of a client's transport), if it came over TLS with an SVID. */
    public static Optional<Caller> of(Attributes transportAttributes) {
        SSLSession session = transportAttributes == null ? null : transportAttributes.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        return of(session);
    }

    /** The certificate this side presented on the connection (it may predate a rotation). */
    public static Optional<X509Certificate> presented(Attributes transportAttributes) {
        SSLSession session = transportAttributes == null ? null : transportAttributes.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return Optional.empty();
        }
        Certificate[] local = session.getLocalCertificates();
        return local != null && local.length > 0 && local[0] instanceof X509Certificate leaf ? Optional.of(leaf) : Optional.empty();
    }

    public static Optional<Caller> of(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return Optional.empty();
        }
        return Svids.spiffeId(leaf).map(id -> new Caller(id, leaf));
    }
}
