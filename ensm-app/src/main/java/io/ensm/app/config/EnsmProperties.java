package io.ensm.app.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * ensm's configuration ({@code ensm.*}). Every setting has a default; the README lists them.
 *
 * @param name              ensm's name in NSM paths and logs
 * @param cluster           the owner name in the marks on everything ensm writes (boxes, VIMs, links), shared by
 *                          all replicas of one cluster; empty: {@code name}
 * @param listen            HOST:PORT of the NSM API (and of the embedded registry)
 * @param advertisedUrl     URL registered for ensm's NSEs; default tcp://LISTEN
 * @param registryUrl       external NSM registry HOST:PORT or tcp://HOST:PORT; empty serves the embedded registry
 * @param dataDir           directory of the embedded connection store
 * @param store             where connections are kept: the embedded file, or a store replicas share
 * @param replica           this replica's own name when replicas share a store; empty: the host's name
 * @param reconcileInterval how often backends and kernel are compared with the store
 * @param mtu               MTU reported when no forwarder leg lowers it
 * @param tls               mutual TLS with SPIFFE identities, path tokens and authorization
 * @param recovery          what start-up and reconciliation may do with what they find
 * @param shutdownTimeout   how long a shutdown waits for calls, expiries and reconcile passes in flight
 */
@Validated
@ConfigurationProperties("ensm")
public record EnsmProperties(
        @DefaultValue("ensm") @NotBlank @Pattern(regexp = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?",
                message = "must be 1-63 letters, digits, '-', '_' or '.'") String name,
        @DefaultValue("") @Pattern(regexp = "|[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?",
                message = "must be empty or 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit") String cluster,
        @DefaultValue("127.0.0.1:5003") @NotBlank @Pattern(regexp = "(\\[[0-9A-Fa-f:.]+]|[^:\\[\\]]+):[0-9]{1,5}",
                message = "must be HOST:PORT") String listen,
        @DefaultValue("") String advertisedUrl,
        @DefaultValue("") String registryUrl,
        @DefaultValue("./data") @NotBlank String dataDir,
        @Valid @DefaultValue Store store,
        @DefaultValue("") @Pattern(regexp = "|[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?",
                message = "must be empty or 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit") String replica,
        @DefaultValue("60s") @NotNull Duration reconcileInterval,
        @DefaultValue("1500") @Min(576) @Max(9216) int mtu,
        @Valid @DefaultValue Connections connections,
        @Valid @DefaultValue Registry registry,
        @Valid @DefaultValue Vni vni,
        @DefaultValue List<@Valid Service> services,
        @DefaultValue List<@Valid Endpoint> endpoints,
        @Valid Forwarder forwarder,
        @Valid @DefaultValue Tls tls,
        @DefaultValue List<@Valid Discovery> discovery,
        @Valid @DefaultValue Recovery recovery,
        @DefaultValue("20s") @NotNull Duration shutdownTimeout) {

    /**
     * @param orphans sweep, keep or adopt: what the orphan sweep does with objects marked as ensm's
     *                that no stored connection holds; empty: keep while the store has never held a
     *                connection, else sweep
     */
    public record Recovery(@DefaultValue("") @Pattern(regexp = "|sweep|keep|adopt",
            message = "must be sweep, keep or adopt (or empty: keep while the store has never held a connection, else sweep)")
                           String orphans) {}

    /**
     * @param defaultLifetime lifetime when the caller's path segment carries no expiry (NSM's token lifetime)
     * @param maxLifetime     upper bound on a connection's lifetime between refreshes
     */
    public record Connections(@DefaultValue("10m") @NotNull Duration defaultLifetime,
                              @DefaultValue("24h") @NotNull Duration maxLifetime) {}

    /** @param expiry expiry of ensm's registrations, refreshed at 2/3 of it */
    public record Registry(@DefaultValue("1m") @NotNull Duration expiry) {}

    /** The VNIs ensm may hand out. */
    public record Vni(@DefaultValue("1") @Min(1) @Max(16777215) int first,
                      @DefaultValue("16777214") @Min(1) @Max(16777215) int last) {}

    /**
     * @param payload ETHERNET or IP
     * @param cidrs   address pools (IPv4 and/or IPv6) for the point-to-point pairs; with a segment,
     *                the segment's subnets (one per family)
     * @param segment set to make every connection of the service join one shared segment
     */
    public record Service(@NotBlank String name,
                          @DefaultValue("ETHERNET") @Pattern(regexp = "ETHERNET|IP", message = "must be ETHERNET or IP") String payload,
                          @DefaultValue List<String> cidrs,
                          @DefaultValue List<@Valid Match> matches,
                          @Valid Segment segment) {}

    /**
     * A shared segment: one VLAN per uplink and the service's CIDRs as its subnets.
     *
     * @param gateways the far side's address in each subnet (the box's, or the SDN's gateway)
     * @param routes   prefixes the clients reach through the gateway, e.g. 0.0.0.0/0
     * @param vlan     the segment's VLAN id on every uplink; 0 takes one from each uplink's pool
     */
    public record Segment(@NotEmpty List<String> gateways,
                          @DefaultValue List<String> routes,
                          @DefaultValue("0") @Min(0) @Max(4094) int vlan) {}

    /** A registry match: source selector over client labels, destination selectors over endpoint labels. */
    public record Match(@DefaultValue Map<String, String> sourceSelector,
                        @DefaultValue List<Route> routes,
                        @DefaultValue("false") boolean fallthrough,
                        @DefaultValue Map<String, String> metadata) {}

    /** Endpoints whose labels contain {@code destinationSelector} qualify. */
    public record Route(@DefaultValue Map<String, String> destinationSelector) {}

    /**
     * One NSE. Exactly one backend section is set: {@code preprovisioned}, or {@code backend} with
     * a type and free-form settings for backends added as plug-ins.
     */
    public record Endpoint(@NotBlank String name,
                           @NotBlank String service,
                           @DefaultValue Map<String, String> labels,
                           @Valid Preprovisioned preprovisioned,
                           @Valid Plugin backend) {}

    /**
     * A box already configured for a VLAN range, which ensm does not write to.
     *
     * @param plans comma-separated: forwarder-vxlan, fabric-vlan
     */
    public record Preprovisioned(@NotBlank String uplink, @NotBlank String vlans,
                                 @DefaultValue("forwarder-vxlan,fabric-vlan") String plans) {}

    /** A backend or forwarder by type name, with its settings. */
    public record Plugin(@NotBlank String type, @DefaultValue Map<String, String> settings) {}

    /**
     * Wire security. {@code mode}: {@code spiffe-workload-api} (SVIDs from a SPIRE agent),
     * {@code pem-files} (SVID, key and bundle files), {@code insecure} (plaintext, also off
     * loopback), or empty: plaintext, allowed only while ensm listens and dials on loopback.
     *
     * @param allowedCallers   SPIFFE IDs that may call ensm; empty allows every peer of a trusted domain
     * @param maxTokenLifetime upper bound of the path tokens ensm signs (NSM's MAX_TOKEN_LIFETIME)
     * @param monitorAllCallers SPIFFE IDs that may watch every connection (operator tools); other
     *                          callers watch only connections they requested
     */
    public record Tls(@DefaultValue("") @Pattern(regexp = "|spiffe-workload-api|pem-files|insecure",
                              message = "must be spiffe-workload-api, pem-files or insecure (or empty: plaintext on loopback only)")
                      String mode,
                      @Valid @DefaultValue WorkloadApi workloadApi,
                      @Valid @DefaultValue Pem pem,
                      @DefaultValue List<String> allowedCallers,
                      @DefaultValue("10m") @NotNull Duration maxTokenLifetime,
                      @DefaultValue List<String> monitorAllCallers) {}

    /**
     * @param socket  the agent's address, unix:///path or tcp://IP:PORT (default: env SPIFFE_ENDPOINT_SOCKET)
     * @param timeout how long start-up waits for the first SVID
     */
    public record WorkloadApi(@DefaultValue("") String socket, @DefaultValue("30s") @NotNull Duration timeout) {}

    /**
     * @param svid           PEM certificate chain, leaf first
     * @param key            PEM PKCS#8 private key of the leaf
     * @param bundle         PEM CA certificates of the trust domain
     * @param reloadInterval how often the files are read again to pick up a rotation
     */
    public record Pem(@DefaultValue("") String svid, @DefaultValue("") String key, @DefaultValue("") String bundle,
                      @DefaultValue("5s") @NotNull Duration reloadInterval) {}

    /**
     * An endpoint source: endpoints found at run time (e.g. OpenStack networks tagged for a service).
     *
     * @param name     prefixes the names of the endpoints it finds
     * @param interval how often it is asked
     */
    public record Discovery(@NotBlank String name, @NotBlank String type, @DefaultValue("30s") @NotNull Duration interval,
                            @DefaultValue Map<String, String> settings) {}

    /** The local kernel forwarder. */
    public record Forwarder(@NotBlank String type, @DefaultValue Map<String, String> settings) {}

    /**
     * @param type     sqlite (a file in the data directory, one ensm) or a store shared by replicas
     *                 of one cluster, from a module on the class path (etcd)
     * @param settings the store's own settings, read like every backend's
     */
    public record Store(@DefaultValue("sqlite") @NotBlank String type, @DefaultValue Map<String, String> settings) {}
}
