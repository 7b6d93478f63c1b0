package io.ensm.forwarder.runtime;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendContext;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;

import java.util.Map;
import java.util.Set;

/**
 * A test backend for an endpoint that lives on the ensm host: every connection's attachment is an
 * interface in one named namespace (setting {@code netns}), named from the connection id. It
 * writes nothing itself; the forwarder makes the interface.
 */
public final class LocalNamespaceBackend implements Backend {
    public static final String TYPE = "test-local-namespace";

    private final String netns;

    LocalNamespaceBackend(String netns) {
        this.netns = netns;
    }

    /** The interface name a connection gets inside the namespace. */
    public static String interfaceOf(String connectionId) {
        return "nsm-" + connectionId.replace("-", "").substring(0, 8);
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(Set.of(PlanKind.FORWARDER_VXLAN), "", null, null);
    }

    @Override
    public Attachment provision(ProvisionIntent intent) {
        return new Attachment.Namespace(netns, interfaceOf(intent.connectionId()));
    }

    @Override
    public void release(ProvisionIntent intent) {
        // Nothing of the backend's own: the veth is the forwarder's.
    }

    @Override
    public Verification verify(ProvisionIntent intent) {
        return Verification.PRESENT;
    }

    public static final class Provider implements BackendProvider {
        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Backend create(BackendContext context) {
            String ns = context.settings().required("netns", "the namespace the endpoint's interface goes to");
            context.settings().done();
            return new LocalNamespaceBackend(ns);
        }
    }
}
