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
 * UP while the NSM API serves; details say whether the registrations are current, how many store
 * records were set aside as unreadable and how many connections' marked objects the orphan policy
 * left in place, and, with mutual TLS, which SVID ensm presents and when it expires.
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
        Health.Builder b = s.serving() ? Health.up() : Health.down();
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
        runtime.svid().ifPresent(svid -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("spiffeId", svid.spiffeId());
            d.put("expires", svid.notAfter().toString());
            d.put("expiresInSeconds", Math.max(0, Duration.between(Instant.now(), svid.notAfter()).toSeconds()));
            d.put("serial", svid.serialHex());
            b.withDetail("svid", d);
        });
        return b.build();
    }
}
