package io.ensm.app.config;

import io.ensm.app.observe.GrpcMetricsInterceptor;
import io.ensm.app.observe.SecurityMetrics;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.store.Stores;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.util.List;

/** Wires the core runtime from the typed configuration; nothing else in ensm knows Spring. */
@Configuration(proxyBeanMethods = false)
public class EnsmConfiguration {

    @Bean
    GrpcMetricsInterceptor grpcMetricsInterceptor(MeterRegistry registry) {
        return new GrpcMetricsInterceptor(registry);
    }

    @Bean(destroyMethod = "close")
    WireSecurity wireSecurity(EnsmProperties properties) {
        return WireSecurity.from(properties);
    }

    @Bean
    SecurityMetrics securityMetrics(WireSecurity security, MeterRegistry registry) {
        return new SecurityMetrics(security, registry);
    }

    @Bean(destroyMethod = "close")
    EnsmRuntime ensmRuntime(EnsmProperties properties, WireSecurity security, SecurityMetrics securityMetrics,
                            GrpcMetricsInterceptor metrics, MeterRegistry registry) {
        EnsmRuntime runtime;
        try {
            EnsmSettings settings = SettingsMapper.toSettings(properties);
            runtime = EnsmRuntime.launch(settings,
                    Stores.opener(properties.store().type(), properties.store().settings(), settings.dataDir(), settings.cluster()),
                    security.transport(List.of(metrics), securityMetrics::refused), Clock.systemUTC(), registry);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(e.getMessage().startsWith("ensm.") ? e.getMessage() : "ensm." + e.getMessage(), e);
        }
        Gauge.builder("ensm.connections.active", runtime, r -> r.connections().size())
                .description("connections ensm holds").register(registry);
        Gauge.builder("ensm.monitor.subscribers", runtime, r -> r.status().monitorSubscribers())
                .description("open MonitorConnections streams").register(registry);
        Gauge.builder("ensm.store.quarantined", runtime, r -> r.status().quarantinedRecords())
                .description("store records found unreadable at start and set aside in its quarantine table").register(registry);
        Gauge.builder("ensm.orphans.kept", runtime, r -> r.status().orphansKept())
                .description("connections whose marked objects the orphan policy left in place").register(registry);
        return runtime;
    }
}
