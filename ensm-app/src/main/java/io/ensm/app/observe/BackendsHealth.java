package io.ensm.app.observe;

import io.ensm.core.observe.DeviceStates;
import io.ensm.core.runtime.EnsmRuntime;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import java.util.stream.Stream;

/**
 * One health component per endpoint under {@code backends}: UP once its device or VIM answered,
 * DOWN while the last operation found it unreachable or refusing ensm's credentials, UNKNOWN before
 * ensm talked to it. Endpoints found at run time appear as they come.
 */
@Component("backends")
public class BackendsHealth implements CompositeHealthContributor {
    private final EnsmRuntime runtime;

    public BackendsHealth(EnsmRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public HealthContributor getContributor(String name) {
        DeviceStates.DeviceState state = runtime.status().devices().get(name);
        return state == null ? null : indicator(name);
    }

    @Override
    public Stream<HealthContributors.Entry> stream() {
        return runtime.status().devices().keySet().stream().map(name -> new HealthContributors.Entry(name, indicator(name)));
    }

    private HealthIndicator indicator(String name) {
        return () -> {
            DeviceStates.DeviceState s = runtime.status().devices().get(name);
            if (s == null) {
                return Health.unknown().withDetail("reason", "endpoint no longer configured").build();
            }
            Health.Builder b = switch (s.state()) {
                case UP -> Health.up();
                case DOWN -> Health.down().withDetail("reason", s.reason());
                case UNKNOWN -> Health.unknown();
            };
            return b.withDetail("backend", s.backend()).withDetail("since", s.since().toString()).build();
        };
    }
}
