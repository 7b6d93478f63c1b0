package io.ensm.core.runtime;

import io.ensm.core.model.ServiceSpec;
import io.ensm.core.recovery.OrphanPolicy;
import io.ensm.core.spi.Owner;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything the runtime needs, already validated by whoever read the configuration.
 *
 * @param name              ensm's name: its path segment name and the prefix of nothing else
 * @param listen            address of the NSM API (and of the embedded registry)
 * @param advertisedUrl     the URL registered for ensm's NSEs, e.g. tcp://192.0.2.10:5003
 * @param registryUrl       external NSM registry, or null to serve the embedded one
 * @param dataDir           where the embedded store keeps its file
 * @param defaultLifetime   connection lifetime when the caller's segment carries no expiry
 * @param maxLifetime       upper bound on any connection's lifetime before a refresh
 * @param registryExpiry    expiry of ensm's registrations (refreshed at 2/3)
 * @param reconcileInterval how often backends and kernel are compared with the store
 * @param defaultMtu        MTU reported when no forwarder leg lowers it
 * @param vniFirst          first VNI ensm may hand out
 * @param vniLast           last VNI ensm may hand out
 * @param forwarderType     type of the local forwarder, or null for none
 * @param sources           endpoint sources (discovery) whose endpoints come and go at run time
 * @param cluster           the owner name in every marker ensm writes; shared by the replicas of one
 *                          cluster; null or blank: {@code name}
 * @param orphans           what the orphan sweep does with marked objects nobody holds; null: keep
 *                          while the store has never held a connection, else sweep
 * @param shutdownTimeout   how long a shutdown waits for work in flight before it closes backends and store
 * @param replica           this replica's own name among the replicas of its cluster on a shared store
 *                          (the replicas share {@code name}, which is in every connection's path); null: {@code name}
 */
public record EnsmSettings(String name, InetSocketAddress listen, String advertisedUrl, String registryUrl, Path dataDir,
                           Duration defaultLifetime, Duration maxLifetime, Duration registryExpiry,
                           Duration reconcileInterval, int defaultMtu, int vniFirst, int vniLast,
                           List<ServiceSpec> services, List<EndpointDefinition> endpoints,
                           String forwarderType, Map<String, String> forwarderSettings, List<SourceDefinition> sources,
                           String cluster, OrphanPolicy orphans, Duration shutdownTimeout, String replica) {
    /** {@code ensm.shutdown-timeout}'s default: within Kubernetes' default grace period of 30 s, with room to close. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);

    public EnsmSettings {
        if (shutdownTimeout == null) {
            shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdown-timeout: must not be negative, got " + shutdownTimeout);
        }
        services = List.copyOf(services);
        endpoints = List.copyOf(endpoints);
        forwarderSettings = forwarderSettings == null ? Map.of() : Map.copyOf(forwarderSettings);
        sources = sources == null ? List.of() : List.copyOf(sources);
        cluster = cluster == null || cluster.isBlank() ? name : cluster;
        replica = replica == null || replica.isBlank() ? name : replica;
    }

    /** Settings of a single ensm: the replica is named like the instance. */
    public EnsmSettings(String name, InetSocketAddress listen, String advertisedUrl, String registryUrl, Path dataDir,
                        Duration defaultLifetime, Duration maxLifetime, Duration registryExpiry,
                        Duration reconcileInterval, int defaultMtu, int vniFirst, int vniLast,
                        List<ServiceSpec> services, List<EndpointDefinition> endpoints,
                        String forwarderType, Map<String, String> forwarderSettings, List<SourceDefinition> sources,
                        String cluster, OrphanPolicy orphans, Duration shutdownTimeout) {
        this(name, listen, advertisedUrl, registryUrl, dataDir, defaultLifetime, maxLifetime, registryExpiry, reconcileInterval,
                defaultMtu, vniFirst, vniLast, services, endpoints, forwarderType, forwarderSettings, sources, cluster, orphans,
                shutdownTimeout, null);
    }

    /** Settings of an instance whose cluster is its own name, without recovery options: orphans are swept, shutdown waits the default time. */
    public EnsmSettings(String name, InetSocketAddress listen, String advertisedUrl, String registryUrl, Path dataDir,
                        Duration defaultLifetime, Duration maxLifetime, Duration registryExpiry,
                        Duration reconcileInterval, int defaultMtu, int vniFirst, int vniLast,
                        List<ServiceSpec> services, List<EndpointDefinition> endpoints,
                        String forwarderType, Map<String, String> forwarderSettings, List<SourceDefinition> sources) {
        this(name, listen, advertisedUrl, registryUrl, dataDir, defaultLifetime, maxLifetime, registryExpiry, reconcileInterval,
                defaultMtu, vniFirst, vniLast, services, endpoints, forwarderType, forwarderSettings, sources, null, OrphanPolicy.SWEEP, null, null);
    }

    /** Settings without endpoint sources. */
    public EnsmSettings(String name, InetSocketAddress listen, String advertisedUrl, String registryUrl, Path dataDir,
                        Duration defaultLifetime, Duration maxLifetime, Duration registryExpiry,
                        Duration reconcileInterval, int defaultMtu, int vniFirst, int vniLast,
                        List<ServiceSpec> services, List<EndpointDefinition> endpoints,
                        String forwarderType, Map<String, String> forwarderSettings) {
        this(name, listen, advertisedUrl, registryUrl, dataDir, defaultLifetime, maxLifetime, registryExpiry, reconcileInterval,
                defaultMtu, vniFirst, vniLast, services, endpoints, forwarderType, forwarderSettings, List.of());
    }

    /** Like the record's, but the forwarder settings show their keys only: values may be secrets. */
    @Override
    public String toString() {
        return "EnsmSettings[name=" + name + ", cluster=" + cluster + ", replica=" + replica + ", listen=" + listen + ", advertisedUrl=" + advertisedUrl + ", registryUrl=" + registryUrl
                + ", dataDir=" + dataDir + ", services=" + services + ", endpoints=" + endpoints + ", forwarderType=" + forwarderType
                + ", forwarderSettings=" + new java.util.TreeSet<>(forwarderSettings.keySet())
                + ", orphans=" + (orphans == null ? "by-store" : orphans.label()) + ", shutdownTimeout=" + shutdownTimeout + "]";
    }

    /** The owner every marker of this instance names: the cluster. */
    public Owner owner() {
        return new Owner(cluster);
    }

    public boolean embeddedRegistry() {
        return registryUrl == null || registryUrl.isBlank();
    }
}
