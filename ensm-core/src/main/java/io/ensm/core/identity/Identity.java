package io.ensm.core.identity;

import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.workloadapi.X509Source;

import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * ensm's own X.509-SVID and the trust bundles that peers are checked against, kept current while
 * they rotate. TLS key and trust managers read it on every handshake, so a new SVID is used by the
 * next connection without a restart; connections already open keep the certificate they started with.
 */
public interface Identity extends X509Source {

    /** The SVID in use now. */
    SvidInfo current();

    /**
     * The SVID whose leaf is {@code leaf}: the current one, or one it replaced that has not expired
     * yet. A TLS connection keeps the certificate it was opened with, so tokens sent or answered on
     * it must be signed with that certificate's key to verify at the other end.
     */
    default Optional<X509Svid> svidFor(X509Certificate leaf) {
        X509Svid current = getX509Svid();
        return current.getLeaf().equals(leaf) ? Optional.of(current) : Optional.empty();
    }

    /** Called after every change of the SVID (a new leaf certificate), on the thread that noticed it. */
    void onRotation(Consumer<SvidInfo> listener);

    /** Where the identity comes from, for logs and health: no secrets. */
    String describe();

    @Override
    void close();
}
