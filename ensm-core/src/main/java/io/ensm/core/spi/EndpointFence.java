package io.ensm.core.spi;

import java.util.OptionalLong;

/**
 * The fencing token of this replica's hold on one endpoint, for a backend that fences its writes
 * on the far side too (a NETCONF box keeps the newest token it was written under). Tokens grow
 * each time the endpoint changes hands; a write under an older token than the far side holds must
 * be refused there, since another replica holds the endpoint now.
 *
 * <p>Backends that cannot keep a token on the far side ignore it: their writes are fenced by the
 * store only (see docs/decisions.md, "Replicas on etcd").
 */
@FunctionalInterface
public interface EndpointFence {
    /** The only replica: nothing to fence, nothing to write or read for it. */
    EndpointFence NONE = OptionalLong::empty;

    /** The token of a replica that has not held the endpoint yet: every write is refused. */
    long NEVER_HELD = 0;

    /**
     * The token of the latest hold this replica took on the endpoint, kept after the hold is lost
     * (a write that races the loss is then judged by the far side, which knows the newer token);
     * {@link #NEVER_HELD} before the first hold; empty when writes are not fenced
     * (the only replica).
     */
    OptionalLong token();
}
