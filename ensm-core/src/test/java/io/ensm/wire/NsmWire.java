package io.ensm.wire;

import java.util.List;
import java.util.Map;

/**
 * NSM v1 names and field numbers, typed in from the public API's wire facts (not taken from our .proto files),
 * plus encoders for the messages tests send by hand. If one of these disagrees with a generated class, the
 * generated class is wrong.
 */
public final class NsmWire {
    private NsmWire() {}

    public static final String NSE_REGISTRY = "registry.NetworkServiceEndpointRegistry";
    public static final String NS_REGISTRY = "registry.NetworkServiceRegistry";
    public static final String NETWORK_SERVICE = "networkservice.NetworkService";
    public static final String MONITOR = "connection.MonitorConnection";
    public static final String IPAM = "ipam.IPAM";

    /** connection.Mechanism */
    public static final class Mechanism {
        public static final int CLS = 1, TYPE = 2, PARAMETERS = 3;
    }

    /** connection.State values */
    public static final class State {
        public static final int UP = 0, DOWN = 1, REFRESH_REQUESTED = 2, RESELECT_REQUESTED = 3;
    }

    /** connection.PathSegment */
    public static final class PathSegment {
        public static final int NAME = 1, ID = 2, TOKEN = 3, EXPIRES = 4, METRICS = 5;
    }

    /** connection.Path */
    public static final class Path {
        public static final int INDEX = 1, PATH_SEGMENTS = 2;
    }

    /** connection.Connection */
    public static final class Connection {
        public static final int ID = 1, NETWORK_SERVICE = 2, MECHANISM = 3, CONTEXT = 4, LABELS = 5, PATH = 6,
                NETWORK_SERVICE_ENDPOINT_NAME = 7, PAYLOAD = 8, STATE = 9;
    }

    /** connection.ConnectionEvent and ConnectionEventType values */
    public static final class ConnectionEvent {
        public static final int TYPE = 1, CONNECTIONS = 2;
        public static final int INITIAL_STATE_TRANSFER = 0, UPDATE = 1, DELETE = 2;
    }

    /** connection.MonitorScopeSelector */
    public static final class MonitorScopeSelector {
        public static final int PATH_SEGMENTS = 1, NETWORK_SERVICES = 2;
    }

    /** connectioncontext.ConnectionContext */
    public static final class ConnectionContext {
        public static final int IP_CONTEXT = 1, DNS_CONTEXT = 2, ETHERNET_CONTEXT = 3, EXTRA_CONTEXT = 4, MTU = 5;
    }

    /** connectioncontext.IPContext */
    public static final class IpContext {
        public static final int SRC_IP_ADDRS = 1, DST_IP_ADDRS = 2, SRC_IP_REQUIRED = 3, DST_IP_REQUIRED = 4,
                SRC_ROUTES = 5, DST_ROUTES = 6, EXCLUDED_PREFIXES = 7, IP_NEIGHBORS = 8, EXTRA_PREFIX_REQUEST = 9,
                EXTRA_PREFIXES = 10, POLICIES = 11;
    }

    /** networkservice.NetworkServiceRequest */
    public static final class NetworkServiceRequest {
        public static final int CONNECTION = 1, MECHANISM_PREFERENCES = 2;
    }

    /** registry.NetworkService */
    public static final class NetworkService {
        public static final int NAME = 1, PAYLOAD = 2, MATCHES = 3, PATH_IDS = 4;
    }

    /** registry.NetworkServiceEndpoint */
    public static final class Nse {
        public static final int NAME = 1, NETWORK_SERVICE_NAMES = 2, NETWORK_SERVICE_LABELS = 3, URL = 4,
                EXPIRATION_TIME = 5, INITIAL_REGISTRATION_TIME = 6, PATH_IDS = 7;
    }

    /** registry.NetworkServiceLabels */
    public static final class NetworkServiceLabels {
        public static final int LABELS = 1;
    }

    /** registry *Query messages */
    public static final class Query {
        public static final int OBJECT = 1, WATCH = 2;
    }

    /** registry *Response messages */
    public static final class Response {
        public static final int OBJECT = 1, DELETED = 2;
    }

    /** google.protobuf.Timestamp */
    public static final class Timestamp {
        public static final int SECONDS = 1, NANOS = 2;
    }

    public static WireWriter mechanism(String cls, String type, Map<String, String> parameters) {
        return WireWriter.message().string(Mechanism.CLS, cls).string(Mechanism.TYPE, type)
                .map(Mechanism.PARAMETERS, parameters);
    }

    public static WireWriter pathSegment(String name, String id, String token, long expiresSeconds) {
        WireWriter w = WireWriter.message().string(PathSegment.NAME, name).string(PathSegment.ID, id);
        if (!token.isEmpty()) {
            w.string(PathSegment.TOKEN, token);
        }
        if (expiresSeconds != 0) {
            w.message(PathSegment.EXPIRES, WireWriter.timestamp(expiresSeconds, 0));
        }
        return w;
    }

    public static WireWriter path(int index, List<WireWriter> segments) {
        WireWriter w = WireWriter.message().uint32(Path.INDEX, index);
        segments.forEach(s -> w.message(Path.PATH_SEGMENTS, s));
        return w;
    }

    /** A client-side Connection as an NSC or nsmgr sends it: no context, mechanism chosen by the server. */
    public static WireWriter connection(String id, String networkService, Map<String, String> labels,
                                        WireWriter path, String payload) {
        return WireWriter.message().string(Connection.ID, id).string(Connection.NETWORK_SERVICE, networkService)
                .map(Connection.LABELS, labels).message(Connection.PATH, path).string(Connection.PAYLOAD, payload);
    }

    /** A ConnectionContext holding only an IPContext with the given client addresses and excluded prefixes. */
    public static WireWriter ipConnectionContext(List<String> srcIpAddrs, List<String> excludedPrefixes) {
        WireWriter ip = WireWriter.message();
        srcIpAddrs.forEach(a -> ip.string(IpContext.SRC_IP_ADDRS, a));
        excludedPrefixes.forEach(p -> ip.string(IpContext.EXCLUDED_PREFIXES, p));
        return WireWriter.message().message(ConnectionContext.IP_CONTEXT, ip);
    }

    public static WireWriter networkServiceRequest(WireWriter connection, List<WireWriter> mechanismPreferences) {
        WireWriter w = WireWriter.message().message(NetworkServiceRequest.CONNECTION, connection);
        mechanismPreferences.forEach(m -> w.message(NetworkServiceRequest.MECHANISM_PREFERENCES, m));
        return w;
    }

    public static WireWriter networkService(String name, String payload) {
        return WireWriter.message().string(NetworkService.NAME, name).string(NetworkService.PAYLOAD, payload);
    }

    /** @param labels service name -> labels for that service */
    public static WireWriter nse(String name, List<String> services, Map<String, Map<String, String>> labels,
                                 String url) {
        WireWriter w = WireWriter.message().string(Nse.NAME, name);
        services.forEach(s -> w.string(Nse.NETWORK_SERVICE_NAMES, s));
        labels.forEach((svc, l) -> w.mapEntry(Nse.NETWORK_SERVICE_LABELS, svc,
                WireWriter.message().map(NetworkServiceLabels.LABELS, l)));
        return w.string(Nse.URL, url);
    }

    public static WireWriter query(WireWriter object, boolean watch) {
        return WireWriter.message().message(Query.OBJECT, object).bool(Query.WATCH, watch);
    }

    public static String method(String service, String name) {
        return service + "/" + name;
    }
}
