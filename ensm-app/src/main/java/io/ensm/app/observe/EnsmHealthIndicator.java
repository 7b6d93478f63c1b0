package io.ensm.app.observe;

import io.ensm.core.runtime.EnsmRuntime;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** UP while the NSM API serves; details say whether the registrations are current. */
@Component("ensm")
public class EnsmHealthIndicator implements HealthIndicator {
    private final EnsmRuntime runtime;

    public EnsmHealthIndicator(EnsmRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public Health health() {
        EnsmRuntime.Status s = runtime.status();
        Health.Builder b = s.serving() ? Health.up() : Health.down();
        b.withDetail("port", runtime.port())
                .withDetail("connections", s.connections())
                .withDetail("registered", s.registered())
                .withDetail("monitorSubscribers", s.monitorSubscribers());
        if (!s.registryError().isEmpty()) {
            b.withDetail("registryError", s.registryError());
        }
        return b.build();
    }
}
