package io.ensm.app.observe;

import io.ensm.app.config.WireSecurity;
import io.ensm.core.authz.Policy;
import io.ensm.core.identity.SvidInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Wire-security metrics: {@code ensm_authz_refusals_total{policy}} counts refused calls by the
 * policy that failed, and {@code ensm_tls_svid_expiry_seconds{spiffe_id}} is the current SVID's
 * expiry (Unix time), replaced on every rotation so an alert can watch the time left.
 */
public final class SecurityMetrics {
    private final Map<Policy, Counter> refusals = new EnumMap<>(Policy.class);
    private final MultiGauge svidExpiry;

    public SecurityMetrics(WireSecurity security, MeterRegistry registry) {
        for (Policy p : Policy.values()) {
            refusals.put(p, Counter.builder("ensm.authz.refusals")
                    .description("calls refused by authorization, by the policy that failed")
                    .tag("policy", p.policyName())
                    .register(registry));
        }
        svidExpiry = MultiGauge.builder("ensm.tls.svid.expiry")
                .description("expiry of the SVID in use, as Unix time")
                .baseUnit("seconds")
                .register(registry);
        security.identity().ifPresent(identity -> {
            show(identity.current());
            identity.onRotation(this::show);
        });
    }

    /** Counts a refusal; called on the gRPC thread that refused. */
    public void refused(Policy policy) {
        refusals.get(policy).increment();
    }

    private void show(SvidInfo svid) {
        svidExpiry.register(List.of(MultiGauge.Row.of(Tags.of("spiffe_id", svid.spiffeId()),
                svid.notAfter().getEpochSecond())), true);
    }
}
