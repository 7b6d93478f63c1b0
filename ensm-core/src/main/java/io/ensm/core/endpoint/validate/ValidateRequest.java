package io.ensm.core.endpoint.validate;

import com.google.protobuf.Timestamp;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connectioncontext.IPContext;
import io.ensm.api.connectioncontext.Route;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;
import io.ensm.core.chain.Failures;
import io.ensm.core.model.IpLiteral;

import java.util.List;
import java.util.Map;

/**
 * Rejects malformed input before anything else runs, so that no later element can be surprised
 * and nothing is stored for a bad request. Limits (documented in the README):
 * names up to 253 characters; ids up to 256; up to 64 labels, keys up to 253 and values up to 256
 * characters; up to 16 mechanism preferences with up to 32 parameters each, keys up to 64 and
 * values up to 1024 characters; up to 32 path segments with tokens up to 8192 characters; up to
 * 256 entries in each address list of the IP context, each a valid address or "addr/len"; path
 * segment expiries within the range of a protobuf Timestamp (years 1 to 9999, nanos 0 to 999999999).
 */
public final class ValidateRequest implements Element {
    public static final int MAX_NAME = 253;
    public static final int MAX_ID = 256;
    public static final int MAX_LABELS = 64;
    public static final int MAX_LABEL_VALUE = 256;
    public static final int MAX_PREFERENCES = 16;
    public static final int MAX_PARAMETERS = 32;
    public static final int MAX_PARAMETER_KEY = 64;
    public static final int MAX_PARAMETER_VALUE = 1024;
    public static final int MAX_SEGMENTS = 32;
    public static final int MAX_TOKEN = 8192;
    public static final int MAX_ADDRESSES = 256;
    /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range protobuf defines for a Timestamp. */
    static final long MIN_TIMESTAMP_SECONDS = -62_135_596_800L;
    static final long MAX_TIMESTAMP_SECONDS = 253_402_300_799L;

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        if (!request.hasConnection()) {
            throw Failures.invalid("request has no connection");
        }
        Connection c = request.getConnection();
        if (c.getNetworkService().isBlank()) {
            throw Failures.invalid("connection.network_service is empty");
        }
        checkLength("connection.network_service", c.getNetworkService(), MAX_NAME);
        checkLength("connection.network_service_endpoint_name", c.getNetworkServiceEndpointName(), MAX_NAME);
        checkLength("connection.id", c.getId(), MAX_ID);
        checkMap("connection.labels", c.getLabelsMap(), MAX_LABELS, MAX_NAME, MAX_LABEL_VALUE);
        checkPath(c);
        if (request.getMechanismPreferencesCount() > MAX_PREFERENCES) {
            throw Failures.invalid("mechanism_preferences has " + request.getMechanismPreferencesCount()
                    + " entries; at most " + MAX_PREFERENCES + " are accepted");
        }
        for (int i = 0; i < request.getMechanismPreferencesCount(); i++) {
            checkMechanism("mechanism_preferences[" + i + "]", request.getMechanismPreferences(i));
        }
        if (c.hasMechanism()) {
            checkMechanism("connection.mechanism", c.getMechanism());
        }
        checkIpContext(c.getContext().getIpContext());
        return chain.proceed(request);
    }

    @Override
    public void close(Connection connection, Chain chain) {
        if (connection.getId().isEmpty() && connection.getPath().getPathSegmentsCount() == 0) {
            throw Failures.invalid("close needs a connection id or a path");
        }
        checkLength("connection.id", connection.getId(), MAX_ID);
        checkPath(connection);
        chain.proceedClose(connection);
    }

    private static void checkPath(Connection c) {
        List<PathSegment> segments = c.getPath().getPathSegmentsList();
        if (segments.size() > MAX_SEGMENTS) {
            throw Failures.invalid("connection.path has " + segments.size() + " segments; at most " + MAX_SEGMENTS + " are accepted");
        }
        for (int i = 0; i < segments.size(); i++) {
            PathSegment s = segments.get(i);
            checkLength("connection.path.path_segments[" + i + "].name", s.getName(), MAX_NAME);
            checkLength("connection.path.path_segments[" + i + "].id", s.getId(), MAX_ID);
            checkLength("connection.path.path_segments[" + i + "].token", s.getToken(), MAX_TOKEN);
            checkMap("connection.path.path_segments[" + i + "].metrics", s.getMetricsMap(), MAX_LABELS, MAX_NAME, MAX_LABEL_VALUE);
            if (s.hasExpires()) {
                checkTimestamp("connection.path.path_segments[" + i + "].expires", s.getExpires());
            }
        }
    }

    private static void checkTimestamp(String field, Timestamp t) {
        if (t.getSeconds() < MIN_TIMESTAMP_SECONDS || t.getSeconds() > MAX_TIMESTAMP_SECONDS
                || t.getNanos() < 0 || t.getNanos() > 999_999_999) {
            throw Failures.invalid(field + " (seconds " + t.getSeconds() + ", nanos " + t.getNanos()
                    + ") is not a valid timestamp: seconds must lie in years 1 to 9999 and nanos in 0 to 999999999");
        }
    }

    private static void checkMechanism(String field, Mechanism m) {
        checkLength(field + ".type", m.getType(), MAX_PARAMETER_KEY);
        checkLength(field + ".cls", m.getCls(), MAX_PARAMETER_KEY);
        checkMap(field + ".parameters", m.getParametersMap(), MAX_PARAMETERS, MAX_PARAMETER_KEY, MAX_PARAMETER_VALUE);
    }

    private static void checkIpContext(IPContext ip) {
        checkPrefixes("ip_context.src_ip_addrs", ip.getSrcIpAddrsList());
        checkPrefixes("ip_context.dst_ip_addrs", ip.getDstIpAddrsList());
        checkPrefixes("ip_context.excluded_prefixes", ip.getExcludedPrefixesList());
        checkPrefixes("ip_context.extra_prefixes", ip.getExtraPrefixesList());
        checkRoutes("ip_context.src_routes", ip.getSrcRoutesList());
        checkRoutes("ip_context.dst_routes", ip.getDstRoutesList());
    }

    private static void checkRoutes(String field, List<Route> routes) {
        checkCount(field, routes.size());
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            if (!IpLiteral.isValidPrefix(r.getPrefix())) {
                throw Failures.invalid(field + "[" + i + "].prefix '" + clip(r.getPrefix()) + "' is not an address or addr/len prefix");
            }
            if (!r.getNextHop().isEmpty() && !IpLiteral.isValid(r.getNextHop())) {
                throw Failures.invalid(field + "[" + i + "].nextHop '" + clip(r.getNextHop()) + "' is not an IP address");
            }
        }
    }

    private static void checkPrefixes(String field, List<String> values) {
        checkCount(field, values.size());
        for (int i = 0; i < values.size(); i++) {
            if (!IpLiteral.isValidPrefix(values.get(i))) {
                throw Failures.invalid(field + "[" + i + "] '" + clip(values.get(i)) + "' is not an address or addr/len prefix");
            }
        }
    }

    private static void checkCount(String field, int count) {
        if (count > MAX_ADDRESSES) {
            throw Failures.invalid(field + " has " + count + " entries; at most " + MAX_ADDRESSES + " are accepted");
        }
    }

    private static void checkMap(String field, Map<String, String> map, int maxEntries, int maxKey, int maxValue) {
        if (map.size() > maxEntries) {
            throw Failures.invalid(field + " has " + map.size() + " entries; at most " + maxEntries + " are accepted");
        }
        map.forEach((k, v) -> {
            if (k.length() > maxKey) {
                throw Failures.invalid(field + " key '" + clip(k) + "' is longer than " + maxKey + " characters");
            }
            if (v.length() > maxValue) {
                throw Failures.invalid(field + "['" + clip(k) + "'] is longer than " + maxValue + " characters");
            }
        });
    }

    private static void checkLength(String field, String value, int max) {
        if (value.length() > max) {
            throw Failures.invalid(field + " is " + value.length() + " characters long; at most " + max + " are accepted");
        }
    }

    /** Keeps echoed input short in messages and logs. */
    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
