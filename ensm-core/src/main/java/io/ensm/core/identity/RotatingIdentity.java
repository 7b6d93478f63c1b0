package io.ensm.core.identity;

import io.spiffe.bundle.BundleSource;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.svid.x509svid.X509Svid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The part both identity sources share: the current SVID and bundles swapped atomically as one
 * snapshot, and rotation listeners told when the leaf certificate changes.
 */
abstract class RotatingIdentity implements Identity {
    private static final Logger log = LoggerFactory.getLogger(RotatingIdentity.class);

    private record Snapshot(X509Svid svid, BundleSource<X509Bundle> bundles, SvidInfo info) {}

    /** SVIDs replaced by a rotation: connections opened before it still present them. */
    private static final int KEPT = 4;

    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    private final java.util.Deque<X509Svid> replaced = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final List<Consumer<SvidInfo>> listeners = new CopyOnWriteArrayList<>();

    /**
     * Installs a new SVID and bundles; tells the listeners when the leaf changed.
     *
     * @throws IdentityException when the key does not belong to the certificate
     */
    protected final void install(X509Svid svid, BundleSource<X509Bundle> bundles) {
        if (!Svids.keyMatchesLeaf(svid)) {
            throw new IdentityException("the private key of the SVID " + svid.getSpiffeId() + " (" + describe()
                    + ") does not belong to its certificate");
        }
        SvidInfo info = Svids.info(svid);
        Snapshot previous = current.getAndSet(new Snapshot(svid, bundles, info));
        if (previous != null && previous.info().equals(info)) {
            return;
        }
        if (previous != null) {
            replaced.addFirst(previous.svid());
            while (replaced.size() > KEPT) {
                replaced.pollLast();
            }
        }
        if (previous == null) {
            log.info("event=svid-loaded source=\"{}\" spiffe_id={} serial={} not_after={}",
                    describe(), info.spiffeId(), info.serialHex(), info.notAfter());
        } else {
            log.info("event=svid-rotated source=\"{}\" spiffe_id={} serial={} not_after={} previous_serial={}",
                    describe(), info.spiffeId(), info.serialHex(), info.notAfter(), previous.info().serialHex());
        }
        for (Consumer<SvidInfo> l : listeners) {
            try {
                l.accept(info);
            } catch (RuntimeException e) {
                log.warn("event=svid-listener-failed reason=\"{}\"", e.getMessage());
            }
        }
    }

    protected final boolean installed() {
        return current.get() != null;
    }

    private Snapshot snapshot() {
        Snapshot s = current.get();
        if (s == null) {
            throw new IllegalStateException("no SVID loaded yet from " + describe());
        }
        return s;
    }

    @Override
    public X509Svid getX509Svid() {
        return snapshot().svid();
    }

    @Override
    public Optional<X509Svid> svidFor(X509Certificate leaf) {
        X509Svid now = snapshot().svid();
        if (now.getLeaf().equals(leaf)) {
            return Optional.of(now);
        }
        Date at = new Date();
        return replaced.stream()
                .filter(s -> s.getLeaf().equals(leaf) && s.getLeaf().getNotAfter().after(at))
                .findFirst();
    }

    @Override
    public X509Bundle getBundleForTrustDomain(TrustDomain trustDomain) throws BundleNotFoundException {
        return snapshot().bundles().getBundleForTrustDomain(Objects.requireNonNull(trustDomain));
    }

    @Override
    public SvidInfo current() {
        return snapshot().info();
    }

    @Override
    public void onRotation(Consumer<SvidInfo> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }
}
