package io.ensm.app.observe;

import io.ensm.app.config.WireSecurity;
import io.ensm.core.runtime.EnsmRuntime;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ensm's own state: DOWN when the NSM API does not serve, the store refuses writes or the SVID in
 * use has expired (nothing ensm answers would hold); OUT_OF_SERVICE while a service or endpoint is
 * not registered (no manager can find ensm); else UP. Details say why, which SVID ensm presents and
 * when it expires, how many store records were set aside as unreadable and how many connections'
 * marked objects the orphan policy left in place. The readiness group includes it; liveness does not, so a registry outage never
 * restarts ensm.
 */
@Component("ensm")
public class EnsmHealthIndicator implements HealthIndicator {
    private final EnsmRuntime runtime;
    private final WireSecurity security;

    public EnsmHealthIndicator(EnsmRuntime runtime, WireSecurity security) {
        this.runtime = runtime;
        this.security = security;
    }

    @Override
    public Health health() {
        EnsmRuntime.Status s = runtime.status();
        Instant now = Instant.now();
        boolean svidExpired = runtime.svid().map(svid -> !svid.notAfter().isAfter(now)).orElse(false);
        Health.Builder b;
        if (!s.serving() || !s.storeFailure().isEmpty() || svidExpired) {
            b = Health.down();
        } else if (!s.registered()) {
            b = Health.outOfService();
        } else {
            b = Health.up();
        }
        if (!s.storeFailure().isEmpty()) {
            b.withDetail("storeError", s.storeFailure());
        }
        b.withDetail("port", runtime.port())
                .withDetail("connections", s.connections())
                .withDetail("registered", s.registered())
                .withDetail("monitorSubscribers", s.monitorSubscribers())
                .withDetail("quarantinedRecords", s.quarantinedRecords())
                .withDetail("orphansKept", s.orphansKept());
        if (!s.registryError().isEmpty()) {
            b.withDetail("registryError", s.registryError());
        }
        b.withDetail("tls", security.mode().label());
        if (!runtime.ownership().sole()) {
            // Replicas on a shared store: which endpoints this one serves now, and who serves the rest.
            Map<String, Object> endpoints = new LinkedHashMap<>();
            runtime.catalog().endpoints().forEach(e -> endpoints.put(e.name(), runtime.serves(e.name()) ? "served here"
                    : runtime.ownership().servedBy(e.name()).map(r -> "served by " + r.name()).orElse("not served now")));
            b.withDetail("replica", runtime.ownership().self().name()).withDetail("endpoints", endpoints);
        }
        runtime.svid().ifPresent(svid -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("spiffeId", svid.spiffeId());
            d.put("expires", svid.notAfter().toString());
            d.put("expiresInSeconds", Math.max(0, Duration.between(now, svid.notAfter()).toSeconds()));
            d.put("expired", svidExpired);
            d.put("serial", svid.serialHex());
            b.withDetail("svid", d);
        });
        return b.build();
    }
}
