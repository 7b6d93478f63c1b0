package io.ensm.core.registry;

import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceLabels;
import java.util.Map;

/**
 * Registry Find matching as NSM does it: only fields set in the query constrain the result, so an empty
 * query matches everything. Name and payload are exact, labels and service names are subsets, url is a
 * substring.
 */
public final class QueryMatcher {
    private QueryMatcher() {}

    public static boolean matches(NetworkService query, NetworkService candidate) {
        return (query.getName().isEmpty() || query.getName().equals(candidate.getName()))
                && (query.getPayload().isEmpty() || query.getPayload().equals(candidate.getPayload()));
    }

    public static boolean matches(NetworkServiceEndpoint query, NetworkServiceEndpoint candidate) {
        if (!query.getName().isEmpty() && !query.getName().equals(candidate.getName())) {
            return false;
        }
        if (!candidate.getNetworkServiceNamesList().containsAll(query.getNetworkServiceNamesList())) {
            return false;
        }
        for (Map.Entry<String, NetworkServiceLabels> e : query.getNetworkServiceLabelsMap().entrySet()) {
            NetworkServiceLabels have = candidate.getNetworkServiceLabelsMap().get(e.getKey());
            Map<String, String> haveLabels = have == null ? Map.of() : have.getLabelsMap();
            if (!isSubset(e.getValue().getLabelsMap(), haveLabels)) {
                return false;
            }
        }
        return query.getUrl().isEmpty() || candidate.getUrl().contains(query.getUrl());
    }

    static boolean isSubset(Map<String, String> wanted, Map<String, String> have) {
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())));
    }
}
