package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.connection.PathSegment;

import java.util.List;

/**
 * Whether a connection is in a subscriber's scope, as NSM matches it: the selector's path segments
 * must appear as a consecutive run of the connection's path, an empty name or id matching anything;
 * when network services are listed, the connection's must be one of them. An empty selector
 * matches everything.
 */
public final class ScopeFilter {
    private ScopeFilter() {}

    public static boolean matches(MonitorScopeSelector selector, Connection connection) {
        if (!selector.getNetworkServicesList().isEmpty()
                && !selector.getNetworkServicesList().contains(connection.getNetworkService())) {
            return false;
        }
        List<PathSegment> wanted = selector.getPathSegmentsList();
        if (wanted.isEmpty()) {
            return true;
        }
        List<PathSegment> path = connection.getPath().getPathSegmentsList();
        for (int start = 0; start + wanted.size() <= path.size(); start++) {
            if (runMatches(wanted, path, start)) {
                return true;
            }
        }
        return false;
    }

    private static boolean runMatches(List<PathSegment> wanted, List<PathSegment> path, int start) {
        for (int i = 0; i < wanted.size(); i++) {
            PathSegment w = wanted.get(i);
            PathSegment p = path.get(start + i);
            if (!w.getName().isEmpty() && !w.getName().equals(p.getName())) {
                return false;
            }
            if (!w.getId().isEmpty() && !w.getId().equals(p.getId())) {
                return false;
            }
        }
        return true;
    }
}
