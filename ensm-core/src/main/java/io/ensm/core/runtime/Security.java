package io.ensm.core.runtime;

import io.ensm.core.authz.RefusalListener;
import io.ensm.core.identity.Identity;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What makes the wire zero-trust: ensm's SPIFFE identity for mutual TLS, the maximum lifetime of
 * the path tokens it signs, the SPIFFE IDs allowed to call it (empty: any peer of a trusted
 * domain), who hears about refused calls, and the SPIFFE IDs that may watch every connection
 * (operator tools; everyone else watches only the connections it requested).
 */
public record Security(Identity identity, Duration maxTokenLifetime, Set<String> allowedCallers, RefusalListener refusals,
                       Set<String> monitorAllCallers) {
    /** NSM's MAX_TOKEN_LIFETIME default. */
    public static final Duration DEFAULT_MAX_TOKEN_LIFETIME = Duration.ofMinutes(10);

    public Security {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(maxTokenLifetime, "maxTokenLifetime");
        allowedCallers = Set.copyOf(allowedCallers);
        refusals = refusals == null ? RefusalListener.NONE : refusals;
        monitorAllCallers = monitorAllCallers == null ? Set.of() : Set.copyOf(monitorAllCallers);
    }

    public Security(Identity identity, Duration maxTokenLifetime, Set<String> allowedCallers, RefusalListener refusals) {
        this(identity, maxTokenLifetime, allowedCallers, refusals, Set.of());
    }
}
