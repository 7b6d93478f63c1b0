package io.ensm.core.model;

import java.util.List;
import java.util.Map;

/** One registry Match: when the client's labels contain {@code sourceSelector}, pick among {@code routes}. */
public record ServiceMatch(Map<String, String> sourceSelector, List<Map<String, String>> routes,
                           boolean fallthrough, Map<String, String> metadata) {
    public ServiceMatch {
        sourceSelector = Map.copyOf(sourceSelector);
        routes = routes.stream().map(Map::copyOf).toList();
        metadata = Map.copyOf(metadata);
    }
}
