package io.ensm.core.testing;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connection.State;

import java.util.ArrayList;
import java.util.List;

/** Connections as ensm holds them after NSM requests: a three-hop path, each hop with a token of realistic size. */
public final class ConnectionsWithTokens {
    /** About the length of an ES256 JWT with SPIFFE IDs. */
    private static final int TOKEN_CHARS = 600;

    private ConnectionsWithTokens() {}

    /** {@code n} connections of service {@code svc} with ids {@code ensm-0 ...}. */
    public static List<Connection> of(int n) {
        List<Connection> all = new ArrayList<>(n);
        String token = "eyJhbGciOiJFUzI1NiJ9." + "x".repeat(TOKEN_CHARS);
        for (int i = 0; i < n; i++) {
            String id = "ensm-" + i;
            all.add(Connection.newBuilder().setId(id).setNetworkService("svc").setNetworkServiceEndpointName("nse-a")
                    .setState(State.UP)
                    .setPath(Path.newBuilder().setIndex(2)
                            .addPathSegments(PathSegment.newBuilder().setName("nsc").setId("nsc-" + i).setToken(token + i))
                            .addPathSegments(PathSegment.newBuilder().setName("nsmgr").setId("mgr-" + i).setToken(token + i))
                            .addPathSegments(PathSegment.newBuilder().setName("ensm").setId(id).setToken(token + i)))
                    .build());
        }
        return List.copyOf(all);
    }
}
