package io.ensm.core.identity;

import io.spiffe.workloadapi.X509Source;

import java.util.function.Consumer;

/**
 * ensm's own X.509-SVID and the trust bundles that peers are checked against, kept current while
 * they rotate. TLS key and trust managers read it on every handshake, so a new SVID is used by the
 * next connection without a restart; connections already open keep the certificate they started with.
 */
public interface Identity extends X509Source {

    /** The SVID in use now. */
    SvidInfo current();

    /** Called after every change of the SVID (a new leaf certificate), on the thread that noticed it. */
    void onRotation(Consumer<SvidInfo> listener);

    /** Where the identity comes from, for logs and health: no secrets. */
    String describe();

    @Override
    void close();
}
