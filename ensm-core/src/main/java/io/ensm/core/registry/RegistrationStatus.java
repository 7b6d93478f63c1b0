package io.ensm.core.registry;

import java.time.Instant;
import java.util.Optional;

/**
 * Health view of one object a {@link RegistryPublisher} keeps registered.
 *
 * @param kind        {@code service} or {@code endpoint}
 * @param registered  the registry holds it, as far as we know
 * @param lastRefresh last successful Register, empty before the first
 * @param expiresAt   expiration the registry granted on the last success, empty before the first
 * @param lastError   why the latest attempt failed; empty once an attempt succeeds
 */
public record RegistrationStatus(
        String kind, String name, boolean registered,
        Optional<Instant> lastRefresh, Optional<Instant> expiresAt, Optional<String> lastError) {}
