package io.ensm.core.testing;

import io.ensm.core.identity.Identity;
import io.ensm.core.identity.SvidInfo;
import io.ensm.core.identity.Svids;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.bundle.x509bundle.X509BundleSet;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.exception.X509SvidException;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.svid.x509svid.X509Svid;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An identity held in memory for element and token tests, trusting the bundles of the given CAs;
 * {@link #rotate} swaps the SVID as a Workload API push would. Integration tests use the real
 * {@code PemFileIdentity} instead.
 */
public final class StaticIdentity implements Identity {
    private final X509BundleSet bundles;
    private final List<Consumer<SvidInfo>> listeners = new ArrayList<>();
    private volatile X509Svid svid;

    private StaticIdentity(TestCa.Svid svid, List<TestCa> trusted) {
        List<X509Bundle> list = new ArrayList<>();
        for (TestCa ca : trusted) {
            list.add(new X509Bundle(TrustDomain.parse(ca.trustDomain()), Set.of(ca.certificate())));
        }
        this.bundles = X509BundleSet.of(list);
        this.svid = parse(svid);
    }

    /** Trusts the SVID's own CA. */
    public static StaticIdentity of(TestCa.Svid svid) {
        return new StaticIdentity(svid, List.of(svid.ca()));
    }

    public static StaticIdentity of(TestCa.Svid svid, List<TestCa> trusted) {
        return new StaticIdentity(svid, trusted);
    }

    public void rotate(TestCa.Svid next) {
        this.svid = parse(next);
        listeners.forEach(l -> l.accept(current()));
    }

    private static X509Svid parse(TestCa.Svid s) {
        try {
            return X509Svid.parse(s.certificatePem().getBytes(StandardCharsets.US_ASCII), s.keyPem().getBytes(StandardCharsets.US_ASCII));
        } catch (X509SvidException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public X509Svid getX509Svid() {
        return svid;
    }

    @Override
    public X509Bundle getBundleForTrustDomain(TrustDomain trustDomain) throws BundleNotFoundException {
        return bundles.getBundleForTrustDomain(trustDomain);
    }

    @Override
    public SvidInfo current() {
        return Svids.info(svid);
    }

    @Override
    public void onRotation(Consumer<SvidInfo> listener) {
        listeners.add(listener);
    }

    @Override
    public String describe() {
        return "static " + svid.getSpiffeId();
    }

    @Override
    public void close() {
    }
}
