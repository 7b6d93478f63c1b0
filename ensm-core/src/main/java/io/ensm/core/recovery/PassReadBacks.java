package io.ensm.core.recovery;

import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.provision.StepFailure;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.ReadBack;
import io.ensm.core.spi.Verification;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The read-backs of one reconciliation pass. Each backend is read once ({@link Backend#readBack}),
 * when the pass first asks about one of its connections, and that read answers for all of them:
 * one get-config per box and pass instead of one per connection.
 * <ul>
 * <li>An answer other than PRESENT is read again for that connection alone before the pass
 * repairs or rolls back anything: a Request may have finished after the shared read.</li>
 * <li>A read that failed fails every connection of its backend in this pass without more I/O, and
 * skips its orphan sweep: a box that is down costs one attempt per pass, not one per connection.</li>
 * <li>The orphan sweep reads a backend again only when its shared read found a marked object
 * whose connection is not known.</li>
 * </ul>
 */
final class PassReadBacks {
    private final Provisioner provisioner;
    private final Predicate<String> known;
    private final Map<Backend, Read> reads = new IdentityHashMap<>();

    /**
     * One backend's read: its answers or why it failed, and the markers whose connection was not
     * known right after it (null when the read cannot tell).
     */
    private record Read(ReadBack answers, BackendException failure, Set<String> unclaimed) {}

    /** @param known whether the store holds a connection id, asked live */
    PassReadBacks(Provisioner provisioner, Predicate<String> known) {
        this.provisioner = provisioner;
        this.known = known;
    }

    /** What backend and forwarder hold for the connection, the backend's part from this pass's read of it. */
    Verification verify(ExposedEndpoint endpoint, ProvisionIntent intent, Attachment attachment) throws StepFailure {
        Read read = readOf(endpoint.backend());
        ReadBack checked = i -> {
            if (read.failure() != null) {
                throw read.failure();
            }
            Verification shared = read.answers().verify(i);
            return shared == Verification.PRESENT ? shared : endpoint.backend().verify(i);
        };
        return provisioner.verify(checked, intent, attachment);
    }

    /**
     * The backend's orphan sweep, left out when this pass's read of it found nothing of an unknown
     * connection; {@code isKnown} is what the sweep itself is given (the orphan policy's test).
     */
    Set<String> removeOrphans(Backend backend, Predicate<String> isKnown) throws BackendException {
        Read read;
        synchronized (this) {
            read = reads.get(backend);
        }
        if (read != null && read.failure() != null) {
            throw read.failure();
        }
        // A marker unclaimed right after the read may belong to a Close that finished since; only
        // one still unknown now can be an orphan, and then the sweep reads for itself.
        if (read != null && read.unclaimed() != null && read.unclaimed().stream().allMatch(known)) {
            return Set.of();
        }
        return backend.removeOrphans(isKnown);
    }

    private synchronized Read readOf(Backend backend) {
        return reads.computeIfAbsent(backend, b -> {
            try {
                ReadBack answers = b.readBack();
                Set<String> unclaimed = answers.markers()
                        .map(m -> m.stream().filter(known.negate()).collect(Collectors.toUnmodifiableSet()))
                        .orElse(null);
                return new Read(answers, null, unclaimed);
            } catch (BackendException e) {
                return new Read(null, e, null);
            }
        });
    }
}
