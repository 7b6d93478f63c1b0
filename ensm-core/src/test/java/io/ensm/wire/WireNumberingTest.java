package io.ensm.wire;

import static io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING;
import static io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING;
import static io.grpc.MethodDescriptor.MethodType.UNARY;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.MonitorConnectionGrpc;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connection.State;
import io.ensm.api.connectioncontext.ConnectionContext;
import io.ensm.api.connectioncontext.DNSConfig;
import io.ensm.api.connectioncontext.DNSContext;
import io.ensm.api.connectioncontext.EthernetContext;
import io.ensm.api.connectioncontext.ExtraPrefixRequest;
import io.ensm.api.connectioncontext.IPContext;
import io.ensm.api.connectioncontext.IpFamily;
import io.ensm.api.connectioncontext.IpNeighbor;
import io.ensm.api.connectioncontext.PolicyRoute;
import io.ensm.api.connectioncontext.Route;
import io.ensm.api.ipam.IPAMGrpc;
import io.ensm.api.ipam.PrefixRequest;
import io.ensm.api.ipam.PrefixResponse;
import io.ensm.api.ipam.Type;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.api.registry.Destination;
import io.ensm.api.registry.Match;
import io.ensm.api.registry.Metadata;
import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointQuery;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.api.registry.NetworkServiceEndpointResponse;
import io.ensm.api.registry.NetworkServiceLabels;
import io.ensm.api.registry.NetworkServiceQuery;
import io.ensm.api.registry.NetworkServiceRegistryGrpc;
import io.ensm.api.registry.NetworkServiceResponse;
import io.grpc.MethodDescriptor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Builds every message of the five schema files by hand with the field numbers from the NSM wire facts and
 * decodes it with the generated class: each value must land in the field of that name, and nothing may be
 * left over as an unknown field.
 */
class WireNumberingTest {
    private static WireWriter msg() {
        return WireWriter.message();
    }

    /** A number we got wrong shows up as an unknown field somewhere in the tree. */
    private static <M extends Message> M clean(M m) {
        assertThat(m.getUnknownFields().asMap()).as("unknown fields in " + m.getDescriptorForType().getFullName()).isEmpty();
        m.getAllFields().values().forEach(v -> {
            if (v instanceof Message nested) {
                clean(nested);
            } else if (v instanceof List<?> list) {
                list.forEach(e -> { if (e instanceof Message nested) clean(nested); });
            }
        });
        return m;
    }

    private static WireWriter mechanismBytes() {
        return msg().string(1, "REMOTE").string(2, "VLAN").mapEntry(3, "vlan-id", "100");
    }

    private static WireWriter segmentBytes(String name) {
        return msg().string(1, name).string(2, "id-" + name).string(3, "tok").message(4, WireWriter.timestamp(77, 5))
                .mapEntry(5, "rtt", "3ms");
    }

    private static WireWriter pathBytes() {
        return msg().uint32(1, 1).message(2, segmentBytes("nsc")).message(2, segmentBytes("nse"));
    }

    private static WireWriter ipContextBytes() {
        return msg().string(1, "10.0.0.2/32").string(2, "10.0.0.1/32").bool(3, true).bool(4, true)
                .message(5, msg().string(1, "10.0.0.1/32").string(2, "10.0.0.254"))
                .message(6, msg().string(1, "10.0.0.2/32"))
                .string(7, "10.96.0.0/12")
                .message(8, msg().string(1, "10.0.0.1").string(2, "aa:bb:cc:dd:ee:ff"))
                .message(9, msg().message(1, msg().enumValue(1, 1)).uint32(2, 64).uint32(3, 1).uint32(4, 2))
                .string(10, "fd00::/64")
                .message(11, msg().string(1, "192.168.0.0/24").string(2, "6").string(3, "80").string(4, "1024")
                        .message(5, msg().string(1, "0.0.0.0/0").string(2, "192.168.0.1")));
    }

    private static WireWriter contextBytes() {
        return msg().message(1, ipContextBytes())
                .message(2, msg().message(1, msg().string(1, "10.96.0.10").string(2, "svc.local")))
                .message(3, msg().string(1, "02:00:00:00:00:01").string(2, "02:00:00:00:00:02").int32(3, 100))
                .mapEntry(4, "k", "v")
                .uint32(5, 1450);
    }

    private static WireWriter connectionBytes() {
        return msg().string(1, "conn-1").string(2, "vlan").message(3, mechanismBytes()).message(4, contextBytes())
                .mapEntry(5, "nodeName", "node-a").message(6, pathBytes()).string(7, "nse-1").string(8, "ETHERNET")
                .enumValue(9, 3);
    }

    @Test
    void mechanismAndPathNumbersMatchTheWire() throws InvalidProtocolBufferException {
        Mechanism m = clean(Mechanism.parseFrom(mechanismBytes().toBytes()));
        assertThat(m.getCls()).isEqualTo("REMOTE");
        assertThat(m.getType()).isEqualTo("VLAN");
        assertThat(m.getParametersMap()).isEqualTo(Map.of("vlan-id", "100"));

        Path p = clean(Path.parseFrom(pathBytes().toBytes()));
        assertThat(p.getIndex()).isEqualTo(1);
        assertThat(p.getPathSegmentsList()).extracting(PathSegment::getName).containsExactly("nsc", "nse");
        PathSegment s = p.getPathSegments(1);
        assertThat(s.getId()).isEqualTo("id-nse");
        assertThat(s.getToken()).isEqualTo("tok");
        assertThat(s.getExpires().getSeconds()).isEqualTo(77);
        assertThat(s.getExpires().getNanos()).isEqualTo(5);
        assertThat(s.getMetricsMap()).isEqualTo(Map.of("rtt", "3ms"));
    }

    @Test
    void stateAndEventTypeEnumValuesMatchTheWire() {
        assertThat(State.UP.getNumber()).isZero();
        assertThat(State.DOWN.getNumber()).isEqualTo(1);
        assertThat(State.REFRESH_REQUESTED.getNumber()).isEqualTo(2);
        assertThat(State.RESELECT_REQUESTED.getNumber()).isEqualTo(3);
        assertThat(ConnectionEventType.INITIAL_STATE_TRANSFER.getNumber()).isZero();
        assertThat(ConnectionEventType.UPDATE.getNumber()).isEqualTo(1);
        assertThat(ConnectionEventType.DELETE.getNumber()).isEqualTo(2);
        assertThat(IpFamily.Family.IPV4.getNumber()).isZero();
        assertThat(IpFamily.Family.IPV6.getNumber()).isEqualTo(1);
        assertThat(Type.UNDEFINED.getNumber()).isZero();
        assertThat(Type.ALLOCATE.getNumber()).isEqualTo(1);
        assertThat(Type.DELETE.getNumber()).isEqualTo(2);
    }

    @Test
    void connectionNumbersMatchTheWire() throws InvalidProtocolBufferException {
        Connection c = clean(Connection.parseFrom(connectionBytes().toBytes()));
        assertThat(c.getId()).isEqualTo("conn-1");
        assertThat(c.getNetworkService()).isEqualTo("vlan");
        assertThat(c.getMechanism().getType()).isEqualTo("VLAN");
        assertThat(c.getContext().getMTU()).isEqualTo(1450);
        assertThat(c.getLabelsMap()).isEqualTo(Map.of("nodeName", "node-a"));
        assertThat(c.getPath().getPathSegmentsCount()).isEqualTo(2);
        assertThat(c.getNetworkServiceEndpointName()).isEqualTo("nse-1");
        assertThat(c.getPayload()).isEqualTo("ETHERNET");
        assertThat(c.getState()).isEqualTo(State.RESELECT_REQUESTED);
    }

    @Test
    void connectionContextNumbersMatchTheWire() throws InvalidProtocolBufferException {
        ConnectionContext cc = clean(ConnectionContext.parseFrom(contextBytes().toBytes()));
        IPContext ip = cc.getIpContext();
        assertThat(ip.getSrcIpAddrsList()).containsExactly("10.0.0.2/32");
        assertThat(ip.getDstIpAddrsList()).containsExactly("10.0.0.1/32");
        assertThat(ip.getSrcIpRequired()).isTrue();
        assertThat(ip.getDstIpRequired()).isTrue();
        assertThat(ip.getSrcRoutes(0)).isEqualTo(Route.newBuilder().setPrefix("10.0.0.1/32").setNextHop("10.0.0.254").build());
        assertThat(ip.getDstRoutes(0).getPrefix()).isEqualTo("10.0.0.2/32");
        assertThat(ip.getExcludedPrefixesList()).containsExactly("10.96.0.0/12");
        assertThat(ip.getIpNeighbors(0)).isEqualTo(IpNeighbor.newBuilder().setIp("10.0.0.1").setHardwareAddress("aa:bb:cc:dd:ee:ff").build());
        ExtraPrefixRequest epr = ip.getExtraPrefixRequest(0);
        assertThat(epr.getAddrFamily().getFamily()).isEqualTo(IpFamily.Family.IPV6);
        assertThat(List.of(epr.getPrefixLen(), epr.getRequiredNumber(), epr.getRequestedNumber())).containsExactly(64, 1, 2);
        assertThat(ip.getExtraPrefixesList()).containsExactly("fd00::/64");
        PolicyRoute pr = ip.getPolicies(0);
        assertThat(List.of(pr.getFrom(), pr.getProto(), pr.getDstPort(), pr.getSrcPort()))
                .containsExactly("192.168.0.0/24", "6", "80", "1024");
        assertThat(pr.getRoutes(0).getNextHop()).isEqualTo("192.168.0.1");

        DNSContext dns = cc.getDnsContext();
        assertThat(dns.getConfigs(0)).isEqualTo(DNSConfig.newBuilder().addDnsServerIps("10.96.0.10").addSearchDomains("svc.local").build());
        EthernetContext eth = cc.getEthernetContext();
        assertThat(eth.getSrcMac()).isEqualTo("02:00:00:00:00:01");
        assertThat(eth.getDstMac()).isEqualTo("02:00:00:00:00:02");
        assertThat(eth.getVlanTag()).isEqualTo(100);
        assertThat(cc.getExtraContextMap()).isEqualTo(Map.of("k", "v"));
        assertThat(cc.getMTU()).isEqualTo(1450);
    }

    @Test
    void monitorMessagesNumbersMatchTheWire() throws InvalidProtocolBufferException {
        ConnectionEvent e = clean(ConnectionEvent.parseFrom(msg().enumValue(1, 2)
                .mapEntry(2, "conn-1", connectionBytes()).toBytes()));
        assertThat(e.getType()).isEqualTo(ConnectionEventType.DELETE);
        assertThat(e.getConnectionsMap().get("conn-1").getId()).isEqualTo("conn-1");

        MonitorScopeSelector sel = clean(MonitorScopeSelector.parseFrom(msg().message(1, segmentBytes("nsc"))
                .string(2, "vlan").toBytes()));
        assertThat(sel.getPathSegments(0).getName()).isEqualTo("nsc");
        assertThat(sel.getNetworkServicesList()).containsExactly("vlan");
    }

    @Test
    void networkServiceRequestNumbersMatchTheWire() throws InvalidProtocolBufferException {
        byte[] bytes = NsmWire.networkServiceRequest(connectionBytes(),
                List.of(NsmWire.mechanism("LOCAL", "KERNEL", Map.of("name", "nsm0")), mechanismBytes())).toBytes();
        NetworkServiceRequest r = clean(NetworkServiceRequest.parseFrom(bytes));
        assertThat(r.getConnection().getId()).isEqualTo("conn-1");
        assertThat(r.getMechanismPreferencesList()).extracting(Mechanism::getType).containsExactly("KERNEL", "VLAN");
        assertThat(r.getMechanismPreferences(0).getParametersMap()).containsEntry("name", "nsm0");

        Connection viaHelper = clean(Connection.parseFrom(NsmWire.connection("c", "vlan", Map.of("a", "b"),
                NsmWire.path(0, List.of(NsmWire.pathSegment("nsc", "c", "jwt", 99))), "IP").toBytes()));
        assertThat(viaHelper.getPath().getPathSegments(0).getExpires().getSeconds()).isEqualTo(99);
        assertThat(viaHelper.getPath().getPathSegments(0).getToken()).isEqualTo("jwt");
        assertThat(viaHelper.getPayload()).isEqualTo("IP");
    }

    @Test
    void registryNetworkServiceNumbersMatchTheWire() throws InvalidProtocolBufferException {
        WireWriter match = msg().mapEntry(1, "app", "x")
                .message(2, msg().mapEntry(1, "node", "{{.nodeName}}").uint32(2, 7))
                .bool(3, true)
                .message(4, msg().mapEntry(1, "p2p", "true"));
        NetworkService ns = clean(NetworkService.parseFrom(msg().string(1, "vlan").string(2, "ETHERNET")
                .message(3, match).string(4, "spiffe://a").toBytes()));
        assertThat(ns.getName()).isEqualTo("vlan");
        assertThat(ns.getPayload()).isEqualTo("ETHERNET");
        Match m = ns.getMatches(0);
        assertThat(m.getSourceSelectorMap()).isEqualTo(Map.of("app", "x"));
        assertThat(m.getRoutes(0)).isEqualTo(Destination.newBuilder().putDestinationSelector("node", "{{.nodeName}}").setWeight(7).build());
        assertThat(m.getFallthrough()).isTrue();
        assertThat(m.getMetadata()).isEqualTo(Metadata.newBuilder().putLabels("p2p", "true").build());
        assertThat(ns.getPathIdsList()).containsExactly("spiffe://a");
    }

    @Test
    void registryEndpointNumbersMatchTheWire() throws InvalidProtocolBufferException {
        byte[] bytes = NsmWire.nse("nse-1", List.of("vlan", "ip"), Map.of("vlan", Map.of("site", "a")), "tcp://u")
                .message(5, WireWriter.timestamp(100, 1)).message(6, WireWriter.timestamp(50, 2))
                .string(7, "spiffe://b").toBytes();
        NetworkServiceEndpoint nse = clean(NetworkServiceEndpoint.parseFrom(bytes));
        assertThat(nse.getName()).isEqualTo("nse-1");
        assertThat(nse.getNetworkServiceNamesList()).containsExactly("vlan", "ip");
        assertThat(nse.getNetworkServiceLabelsMap()).isEqualTo(
                Map.of("vlan", NetworkServiceLabels.newBuilder().putLabels("site", "a").build()));
        assertThat(nse.getUrl()).isEqualTo("tcp://u");
        assertThat(nse.getExpirationTime().getSeconds()).isEqualTo(100);
        assertThat(nse.getExpirationTime().getNanos()).isEqualTo(1);
        assertThat(nse.getInitialRegistrationTime().getSeconds()).isEqualTo(50);
        assertThat(nse.getPathIdsList()).containsExactly("spiffe://b");
    }

    @Test
    void registryQueryAndResponseNumbersMatchTheWire() throws InvalidProtocolBufferException {
        WireWriter nse = msg().string(1, "nse-1");
        WireWriter ns = msg().string(1, "vlan");
        var nseQuery = clean(NetworkServiceEndpointQuery.parseFrom(msg().message(1, nse).bool(2, true).toBytes()));
        assertThat(nseQuery.getNetworkServiceEndpoint().getName()).isEqualTo("nse-1");
        assertThat(nseQuery.getWatch()).isTrue();
        var nsQuery = clean(NetworkServiceQuery.parseFrom(msg().message(1, ns).bool(2, true).toBytes()));
        assertThat(nsQuery.getNetworkService().getName()).isEqualTo("vlan");
        assertThat(nsQuery.getWatch()).isTrue();
        var nseResp = clean(NetworkServiceEndpointResponse.parseFrom(msg().message(1, nse).bool(2, true).toBytes()));
        assertThat(nseResp.getNetworkServiceEndpoint().getName()).isEqualTo("nse-1");
        assertThat(nseResp.getDeleted()).isTrue();
        var nsResp = clean(NetworkServiceResponse.parseFrom(msg().message(1, ns).bool(2, true).toBytes()));
        assertThat(nsResp.getNetworkService().getName()).isEqualTo("vlan");
        assertThat(nsResp.getDeleted()).isTrue();
    }

    @Test
    void ipamNumbersMatchTheWire() throws InvalidProtocolBufferException {
        PrefixRequest req = clean(PrefixRequest.parseFrom(msg().enumValue(1, 1).string(2, "10.0.0.0/16")
                .string(3, "10.0.1.0/24").toBytes()));
        assertThat(req.getType()).isEqualTo(Type.ALLOCATE);
        assertThat(req.getPrefix()).isEqualTo("10.0.0.0/16");
        assertThat(req.getExcludePrefixesList()).containsExactly("10.0.1.0/24");

        PrefixResponse resp = clean(PrefixResponse.parseFrom(msg().string(2, "10.0.0.0/24").string(3, "10.0.1.0/24").toBytes()));
        assertThat(resp.getPrefix()).isEqualTo("10.0.0.0/24");
        assertThat(resp.getExcludePrefixesList()).containsExactly("10.0.1.0/24");
        assertThat(PrefixResponse.getDescriptor().findFieldByNumber(1)).as("PrefixResponse has no field 1").isNull();
    }

    @Test
    void serviceAndMethodNamesAndTypesMatchTheWire() {
        assertMethod(NetworkServiceGrpc.getRequestMethod(), "networkservice.NetworkService/Request", UNARY);
        assertMethod(NetworkServiceGrpc.getCloseMethod(), "networkservice.NetworkService/Close", UNARY);
        assertMethod(MonitorConnectionGrpc.getMonitorConnectionsMethod(),
                "connection.MonitorConnection/MonitorConnections", SERVER_STREAMING);
        assertMethod(NetworkServiceRegistryGrpc.getRegisterMethod(), "registry.NetworkServiceRegistry/Register", UNARY);
        assertMethod(NetworkServiceRegistryGrpc.getFindMethod(), "registry.NetworkServiceRegistry/Find", SERVER_STREAMING);
        assertMethod(NetworkServiceRegistryGrpc.getUnregisterMethod(), "registry.NetworkServiceRegistry/Unregister", UNARY);
        assertMethod(NetworkServiceEndpointRegistryGrpc.getRegisterMethod(),
                "registry.NetworkServiceEndpointRegistry/Register", UNARY);
        assertMethod(NetworkServiceEndpointRegistryGrpc.getFindMethod(),
                "registry.NetworkServiceEndpointRegistry/Find", SERVER_STREAMING);
        assertMethod(NetworkServiceEndpointRegistryGrpc.getUnregisterMethod(),
                "registry.NetworkServiceEndpointRegistry/Unregister", UNARY);
        assertMethod(IPAMGrpc.getManagePrefixesMethod(), "ipam.IPAM/ManagePrefixes", BIDI_STREAMING);
    }

    private static void assertMethod(MethodDescriptor<?, ?> m, String fullName, MethodDescriptor.MethodType type) {
        assertThat(m.getFullMethodName()).isEqualTo(fullName);
        assertThat(m.getType()).as(fullName).isEqualTo(type);
    }
}
