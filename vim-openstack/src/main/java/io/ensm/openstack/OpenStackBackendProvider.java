package io.ensm.openstack;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendContext;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.VlanRange;
import io.ensm.openstack.expose.Marker;
import io.ensm.openstack.expose.MarkedPorts;
import io.ensm.openstack.expose.NetworkExposure;
import io.ensm.openstack.expose.SubportNetworks;
import io.ensm.openstack.expose.TrunkExposure;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backend type {@code openstack}. Settings: see {@link OpenStackSettings} and the README. Endpoints
 * with the same credentials share one {@link Cloud}, hence one token.
 *
 * <p>VLAN pools: a trunk endpoint draws subport VLANs from the uplink's pool
 * ({@code uplink:<uplink>}, range {@code vlans}), shared with every endpoint behind that uplink. A
 * network endpoint has exactly one VLAN, the network's segment, in a pool of its own
 * ({@code uplink:<uplink>/vlan:<segment>}): ensm's uplink carries that VLAN for one connection at a
 * time, so a second connection to the same network through the same uplink is refused as
 * exhausted rather than bridged onto a VLAN that is already in use.
 */
public final class OpenStackBackendProvider implements BackendProvider {
    private final java.util.function.Function<Cloud.Key, Cloud> clouds;

    /** The provider ServiceLoader makes: clouds shared JVM-wide, with the discovery source too. */
    public OpenStackBackendProvider() {
        this.clouds = Cloud::shared;
    }

    /** A provider with clouds of its own, on the given clock. */
    OpenStackBackendProvider(Clock clock) {
        Map<Cloud.Key, Cloud> own = new ConcurrentHashMap<>();
        this.clouds = key -> own.computeIfAbsent(key, k -> new Cloud(k, clock));
    }

    @Override
    public String type() {
        return OpenStackBackend.TYPE;
    }

    @Override
    public Backend create(BackendContext context) {
        return create(context.endpoint(), OpenStackSettings.parse(context.settings()), context.owner());
    }

    /** @param owner named by the tags of every port the backend creates */
    public OpenStackBackend create(EndpointSpec endpoint, OpenStackSettings s, Owner owner) {
        Cloud cloud = clouds.apply(Cloud.Key.of(s));
        Marker marker;
        try {
            marker = new Marker(endpoint.name(), owner.name());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("name: " + e.getMessage());
        }
        MarkedPorts ports = new MarkedPorts(cloud.neutron(), marker, cloud.tagSupport());
        if (s.target() instanceof Target.Network network) {
            int segment = s.vlans() != null ? s.vlans().first() : segmentFromNeutron(cloud, network, s);
            var caps = new BackendCapabilities(s.plans(), "uplink:" + s.uplink() + "/vlan:" + segment,
                    new VlanRange(segment, segment), null);
            var exposure = new NetworkExposure(cloud.neutron(), ports, network.network(), s.physicalNetwork(), segment);
            return new OpenStackBackend(endpoint.name(), s.uplink(), caps, exposure, cloud);
        }
        var caps = new BackendCapabilities(s.plans(), "uplink:" + s.uplink(), s.vlans(), null);
        var pool = new SubportNetworks(cloud.neutron(), s.subportNetworks(), s.physicalNetwork());
        var exposure = new TrunkExposure(cloud.neutron(), ports, pool, s.target(), s.subportMacOfParent());
        return new OpenStackBackend(endpoint.name(), s.uplink(), caps, exposure, cloud);
    }

    private static int segmentFromNeutron(Cloud cloud, Target.Network network, OpenStackSettings s) {
        try {
            return NetworkExposure.segmentOf(cloud.neutron(), network.network(), s.physicalNetwork());
        } catch (BackendException e) {
            throw new IllegalArgumentException("vlans: not set, and the segment of network " + network.network()
                    + " could not be read from Neutron (" + e.getMessage() + "); set vlans to the network's segmentation id", e);
        }
    }
}
