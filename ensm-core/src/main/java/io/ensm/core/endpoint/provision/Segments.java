package io.ensm.core.endpoint.provision;

import io.ensm.core.model.Segment;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.StoredConnection;

import java.util.Optional;
import java.util.function.Function;

/** What provisioning needs to know of segments: each service's, and who else is on one. */
public interface Segments {

    /** The service's segment, or null for a point-to-point service. */
    Segment of(String service);

    /**
     * Whether a connection other than {@code connectionId} is on the endpoint's segment of the
     * service with that VLAN, in any phase: the store's records say, so a crash between the last
     * Close and the segment's removal is found again by reconciliation.
     */
    boolean othersOn(String endpoint, String service, int vlanId, String connectionId);

    /** Whether any connection of the service is stored: its segment's marked objects are not orphans. */
    boolean anyOn(String service);

    /**
     * Whether a connection other than {@code connectionId} on the endpoint's segment of the service
     * with that VLAN is APPLIED: the segment was joined then, by this process or by the endpoint's
     * earlier holder (another replica, or this one before a restart), so a new member writes nothing.
     */
    default boolean appliedOn(String endpoint, String service, int vlanId, String connectionId) {
        return false;
    }

    /** No segments at all. */
    Segments NONE = new Segments() {
        @Override
        public Segment of(String service) {
            return null;
        }

        @Override
        public boolean othersOn(String endpoint, String service, int vlanId, String connectionId) {
            return false;
        }

        @Override
        public boolean anyOn(String service) {
            return false;
        }
    };

    /** The services' segments, and members as the connection table holds them. */
    static Segments of(Function<String, Optional<ServiceSpec>> services, ConnectionTable table) {
        return new Segments() {
            @Override
            public Segment of(String service) {
                return services.apply(service).map(ServiceSpec::segment).orElse(null);
            }

            @Override
            public boolean othersOn(String endpoint, String service, int vlanId, String connectionId) {
                for (StoredConnection c : table.all()) {
                    if (!c.id().equals(connectionId) && c.endpoint().equals(endpoint) && c.service().equals(service)
                            && c.allocation().vlanId() == vlanId) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public boolean anyOn(String service) {
                return table.all().stream().anyMatch(c -> c.service().equals(service));
            }

            @Override
            public boolean appliedOn(String endpoint, String service, int vlanId, String connectionId) {
                for (StoredConnection c : table.all()) {
                    if (c.phase() == io.ensm.core.store.Phase.APPLIED && !c.id().equals(connectionId)
                            && c.endpoint().equals(endpoint) && c.service().equals(service) && c.allocation().vlanId() == vlanId) {
                        return true;
                    }
                }
                return false;
            }
        };
    }
}
