package io.ensm.app.config;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceMatch;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.recovery.OrphanPolicy;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.runtime.SourceDefinition;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the bound properties into the core's settings; a bad value fails naming its key. */
public final class SettingsMapper {
    private SettingsMapper() {}

    public static EnsmSettings toSettings(EnsmProperties p) {
        InetSocketAddress listen = address("ensm.listen", p.listen());
        if (p.connections().maxLifetime().compareTo(p.connections().defaultLifetime()) < 0) {
            throw new InvalidConfigurationException("ensm.connections.max-lifetime", "must not be shorter than default-lifetime");
        }
        if (p.vni().first() > p.vni().last()) {
            throw new InvalidConfigurationException("ensm.vni", "first (" + p.vni().first() + ") is after last (" + p.vni().last() + ")");
        }
        if (p.shutdownTimeout().isNegative()) {
            throw new InvalidConfigurationException("ensm.shutdown-timeout", "must not be negative");
        }
        if (p.reconcileInterval().isNegative() || p.reconcileInterval().isZero()) {
            throw new InvalidConfigurationException("ensm.reconcile-interval", "must be positive");
        }
        if (p.advertisedUrl().isBlank() && listen.getAddress() != null && listen.getAddress().isAnyLocalAddress()) {
            throw new InvalidConfigurationException("ensm.advertised-url",
                    "must be set when ensm.listen is a wildcard address (" + p.listen() + "): NSM managers need an address they can dial");
        }
        String advertised = p.advertisedUrl().isBlank() ? "tcp://" + p.listen() : p.advertisedUrl();
        List<ServiceSpec> services = new ArrayList<>();
        for (int i = 0; i < p.services().size(); i++) {
            EnsmProperties.Service s = p.services().get(i);
            services.add(new ServiceSpec(s.name(), Payload.parse(s.payload()), s.cidrs(),
                    s.matches().stream().map(m -> new ServiceMatch(m.sourceSelector(),
                            m.routes().stream().map(EnsmProperties.Route::destinationSelector).toList(), m.fallthrough(), m.metadata())).toList(),
                    segment("ensm.services[" + i + "].segment", s.segment())));
        }
        List<EndpointDefinition> endpoints = new ArrayList<>();
        for (int i = 0; i < p.endpoints().size(); i++) {
            endpoints.add(endpoint("ensm.endpoints[" + i + "]", p.endpoints().get(i)));
        }
        List<SourceDefinition> sources = new ArrayList<>();
        for (int i = 0; i < p.discovery().size(); i++) {
            EnsmProperties.Discovery d = p.discovery().get(i);
            if (d.interval().isNegative() || d.interval().isZero()) {
                throw new InvalidConfigurationException("ensm.discovery[" + i + "].interval", "must be positive");
            }
            sources.add(new SourceDefinition(d.name(), d.type(), d.interval(), d.settings()));
        }
        return new EnsmSettings(p.name(), listen, advertised, p.registryUrl().isBlank() ? null : p.registryUrl(),
                Path.of(p.dataDir()), p.connections().defaultLifetime(), p.connections().maxLifetime(),
                p.registry().expiry(), p.reconcileInterval(), p.mtu(), p.vni().first(), p.vni().last(),
                services, endpoints,
                p.forwarder() == null ? null : p.forwarder().type(),
                p.forwarder() == null ? Map.of() : p.forwarder().settings(), sources, p.cluster(),
                p.recovery().orphans().isEmpty() ? null : OrphanPolicy.parse(p.recovery().orphans()), p.shutdownTimeout(),
                p.replica().isBlank() ? hostName(p.name()) : p.replica());
    }

    private static EndpointDefinition endpoint(String key, EnsmProperties.Endpoint e) {
        EndpointSpec spec = new EndpointSpec(e.name(), e.service(), e.labels());
        int sections = (e.preprovisioned() == null ? 0 : 1) + (e.backend() == null ? 0 : 1);
        if (sections != 1) {
            throw new InvalidConfigurationException(key, "endpoint '" + e.name()
                    + "' needs exactly one backend section (preprovisioned or backend), found " + sections);
        }
        if (e.preprovisioned() != null) {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("uplink", e.preprovisioned().uplink());
            settings.put("vlans", e.preprovisioned().vlans());
            settings.put("plans", e.preprovisioned().plans());
            return new EndpointDefinition(spec, "preprovisioned", settings);
        }
        return new EndpointDefinition(spec, e.backend().type(), e.backend().settings());
    }

    static InetSocketAddress address(String key, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        if (port > 65535) {
            throw new InvalidConfigurationException(key, "port " + port + " is above 65535");
        }
        return new InetSocketAddress(host, port);
    }

    /** The host's name (a pod's name in Kubernetes), or {@code fallback} when it has none. */
    private static String hostName(String fallback) {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return fallback;
        }
    }

    /** The service's segment; gateways and subnets are checked against each other when the pools are made. */
    private static io.ensm.core.model.Segment segment(String key, EnsmProperties.Segment s) {
        if (s == null) {
            return null;
        }
        for (String g : s.gateways()) {
            try {
                io.ensm.core.alloc.IpAddress.parse(g);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(key + ".gateways", "'" + g + "' is not an IP address");
            }
        }
        for (String r : s.routes()) {
            try {
                io.ensm.core.alloc.IpPrefix.parse(r);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(key + ".routes", e.getMessage());
            }
        }
        return new io.ensm.core.model.Segment(s.gateways(), s.routes(), s.vlan());
    }
}
