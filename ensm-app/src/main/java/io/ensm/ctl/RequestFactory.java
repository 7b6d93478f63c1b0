package io.ensm.ctl;

import com.google.protobuf.Timestamp;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connectioncontext.ConnectionContext;
import io.ensm.api.connectioncontext.IPContext;
import io.ensm.api.networkservice.NetworkServiceRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the messages an NSM client sends: the first Request, the refresh of a granted
 * Connection and the Connection handed to Close. The caller's own path segment is named
 * {@code ensmctl-<hostname>} and carries the connection id.
 */
public final class RequestFactory {

    private final Clock clock;
    private final String segmentName;

    public RequestFactory(Clock clock, String segmentName) {
        this.clock = clock;
        this.segmentName = segmentName;
    }

    /** The name of the client's path segment on this host. */
    public static String defaultSegmentName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        return "ensmctl-" + host;
    }

    /** What the user asked for on the command line. */
    public record Ask(String id, String service, String endpoint, Map<String, String> labels, String payload,
                      Duration expires, List<String> excludedPrefixes, List<Mechanism> mechanisms) {
    }

    public NetworkServiceRequest request(Ask ask) {
        String id = ask.id() == null || ask.id().isBlank() ? UUID.randomUUID().toString() : ask.id();
        Connection.Builder connection = Connection.newBuilder()
                .setId(id)
                .setNetworkService(ask.service())
                .putAllLabels(ask.labels())
                .setPath(Path.newBuilder()
                        .setIndex(0)
                        .addPathSegments(PathSegment.newBuilder()
                                .setName(segmentName)
                                .setId(id)
                                .setExpires(expiry(ask.expires()))));
        if (ask.endpoint() != null) {
            connection.setNetworkServiceEndpointName(ask.endpoint());
        }
        if (ask.payload() != null) {
            connection.setPayload(ask.payload());
        }
        if (!ask.excludedPrefixes().isEmpty()) {
            connection.setContext(ConnectionContext.newBuilder()
                    .setIpContext(IPContext.newBuilder().addAllExcludedPrefixes(ask.excludedPrefixes())));
        }
        List<Mechanism> mechanisms = ask.mechanisms().isEmpty()
                ? List.of(MechanismSpec.defaultPreference())
                : ask.mechanisms();
        return NetworkServiceRequest.newBuilder()
                .setConnection(connection)
                .addAllMechanismPreferences(mechanisms)
                .build();
    }

    /**
     * The refresh of a granted connection: the same connection with the caller's segment expiry
     * renewed and its current mechanism as the only preference.
     */
    public NetworkServiceRequest refresh(Connection granted, Duration expires) {
        Connection.Builder connection = granted.toBuilder();
        Path.Builder path = connection.getPathBuilder();
        int own = ownSegment(granted);
        path.setIndex(own);
        path.getPathSegmentsBuilder(own).setExpires(expiry(expires));
        NetworkServiceRequest.Builder request = NetworkServiceRequest.newBuilder().setConnection(connection);
        if (granted.hasMechanism()) {
            request.addMechanismPreferences(granted.getMechanism());
        }
        return request.build();
    }

    /** The Connection sent to Close when only its id and service are known. */
    public Connection closing(String id, String service, String endpoint) {
        Connection.Builder connection = Connection.newBuilder()
                .setId(id)
                .setNetworkService(service)
                .setPath(Path.newBuilder()
                        .setIndex(0)
                        .addPathSegments(PathSegment.newBuilder().setName(segmentName).setId(id)));
        if (endpoint != null) {
            connection.setNetworkServiceEndpointName(endpoint);
        }
        return connection.build();
    }

    /** Index of the caller's segment: path.index when its id is the connection id, else the segment with that id. */
    static int ownSegment(Connection connection) {
        List<PathSegment> segments = connection.getPath().getPathSegmentsList();
        int index = connection.getPath().getIndex();
        if (index < segments.size() && segments.get(index).getId().equals(connection.getId())) {
            return index;
        }
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).getId().equals(connection.getId())) {
                return i;
            }
        }
        throw new CliFailure("connection " + connection.getId() + " has no path segment with its id",
                Ensmctl.EXIT_FILE, null);
    }

    private Timestamp expiry(Duration expires) {
        Instant at = clock.instant().plus(expires);
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}
