package io.ensm.tf.backend;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.testing.Contexts;
import io.ensm.tf.testbed.CallRecorder;
import io.ensm.tf.testbed.OpenSdn;
import io.ensm.tf.testbed.TfRest;
import io.ensm.tf.testbed.TfWorld;
import io.ensm.tf.vncdouble.VncApiDouble;
import tools.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A TF API with a fresh {@link TfWorld} in it, and intents and settings for a tungsten endpoint on
 * it: OpenSDN's real API server ({@link #on}) or the double ({@link #onDouble}, for what the real
 * server cannot be made to do: faults, delays, tokens). Connection ids get the world's tag, so that
 * the objects of one test never meet another's on the shared real server.
 */
final class TfBed implements AutoCloseable {
    static final String ENDPOINT = "blue-nse";
    static final String UPLINK = "eth1";

    private final VncApiDouble api;
    private final CallRecorder recorder;
    final TfRest rest;
    final TfWorld world;

    private TfBed(VncApiDouble api, CallRecorder recorder, String url, String... subnets) {
        this.api = api;
        this.recorder = recorder;
        this.rest = new TfRest(url);
        this.world = subnets.length == 0 ? TfWorld.create(rest) : TfWorld.create(rest, subnets);
    }

    /** A world on OpenSDN's config API server; ensm's calls go through a {@link CallRecorder}. */
    static TfBed on(OpenSdn server, String... subnets) {
        CallRecorder recorder = new CallRecorder(server.url());
        try {
            return new TfBed(null, recorder, server.url(), subnets);
        } catch (RuntimeException e) {
            recorder.close();
            throw e;
        }
    }

    /** A world on a new VNC API double. */
    static TfBed onDouble(String... subnets) {
        VncApiDouble d = VncApiDouble.start();
        try {
            return new TfBed(d, null, d.url(), subnets);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** The double, for faults and call records; only on a double. */
    VncApiDouble api() {
        if (api == null) {
            throw new IllegalStateException("this test runs against the real OpenSDN server, which has no fault injection");
        }
        return api;
    }

    /** Where ensm's endpoint calls the API. */
    String url() {
        return recorder != null ? recorder.url() : api.url();
    }

    boolean real() {
        return api == null;
    }

    /** ensm's calls as "METHOD /path" since the last {@link #clearCalls} (on the double: everyone's). */
    List<String> calls() {
        return recorder != null ? recorder.calls() : api.calls();
    }

    void clearCalls() {
        if (recorder != null) {
            recorder.clear();
        } else {
            api.clearCalls();
        }
    }

    Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("api-url", url());
        s.put("virtual-network", world.networkName());
        s.put("fabric", world.fabric());
        s.put("port-group", world.portGroup());
        s.put("uplink", UPLINK);
        s.put("vlans", "300-399");
        s.put("timeout", "5s");
        s.put("retries", "1");
        return s;
    }

    TungstenBackend backend() {
        return backend(ENDPOINT, settings());
    }

    static TungstenBackend backend(String endpoint, Map<String, String> settings) {
        return backend(endpoint, settings, Contexts.OWNER);
    }

    static TungstenBackend backend(String endpoint, Map<String, String> settings, Owner owner) {
        return (TungstenBackend) new TungstenBackendProvider().create(Contexts.backend(new EndpointSpec(endpoint, "blue", Map.of()),
                settings, owner));
    }

    /** The connection id this bed uses for a test's name of a connection. */
    String id(String name) {
        return name + "-" + world.tag();
    }

    ProvisionIntent intent(String name, int vlan, String... endpointAddrs) {
        return intent(name, vlan, PlanKind.FORWARDER_VXLAN, endpointAddrs);
    }

    ProvisionIntent intent(String name, int vlan, PlanKind plan, String... endpointAddrs) {
        return intentFor(ENDPOINT, id(name), vlan, plan, endpointAddrs);
    }

    /** An intent for any endpoint and connection id, as the core would make it. */
    static ProvisionIntent intentFor(String endpoint, String connectionId, int vlan, PlanKind plan, String... endpointAddrs) {
        List<String> client = Arrays.stream(endpointAddrs).map(a -> a.replace(".1/", ".2/").replace("::1/", "::2/")).toList();
        Allocation allocation = new Allocation(List.of(endpointAddrs), client, "uplink:" + UPLINK, vlan, 5001);
        VxlanPeer peer = plan == PlanKind.FORWARDER_VXLAN ? new VxlanPeer("192.0.2.1", 4789) : null;
        return new ProvisionIntent(connectionId, new EndpointSpec(endpoint, "blue", Map.of()), plan, allocation, peer, 1450);
    }

    String interfaceUuid(String name) {
        return ObjectIds.interfaceUuid(ENDPOINT, id(name));
    }

    String ipUuid(String name, String family) {
        return ObjectIds.instanceIpUuid(ENDPOINT, id(name), family);
    }

    /** The connection's interface as TF shows it, or null. */
    ObjectNode vmi(String name) {
        return rest.read("virtual-machine-interface", interfaceUuid(name)).orElse(null);
    }

    /** The connection's instance-ip of a family as TF shows it, or null. */
    ObjectNode iip(String name, String family) {
        return rest.read("instance-ip", ipUuid(name, family)).orElse(null);
    }

    ObjectNode portGroup() {
        return rest.fields("virtual-port-group", world.portGroupUuid());
    }

    /** Every interface in the world's project. */
    List<String> interfaces() {
        return world.interfaces();
    }

    /** Every instance-ip in the world's network. */
    List<String> instanceIps() {
        return world.instanceIps();
    }

    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
        if (recorder != null) {
            recorder.close();
        }
    }
}
