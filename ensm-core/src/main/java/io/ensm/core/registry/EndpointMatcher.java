package io.ensm.core.registry;

import io.ensm.api.registry.Destination;
import io.ensm.api.registry.Match;
import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceLabels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks the endpoints a request may use, following NSM's {@code matchutils.MatchEndpoint}:
 *
 * <ul>
 *   <li>expired endpoints never qualify;</li>
 *   <li>a service without matches accepts every endpoint;</li>
 *   <li>otherwise the first match whose {@code source_selector} is a subset of the request labels decides:
 *       an endpoint qualifies if its {@code network_service_labels[service]} contain the
 *       {@code destination_selector} of any route of that match;</li>
 *   <li>an empty result moves on to the next match only if {@code fallthrough} is set, else it is final;</li>
 *   <li>when no match applies at all, every endpoint qualifies (NSM does the same).</li>
 * </ul>
 *
 * Selector values may use Go-template references such as {@code {{.nodeName}}}, which are replaced by the
 * request label of that key; a missing key becomes {@code <no value>}, as Go's text/template prints it.
 */
public final class EndpointMatcher {
    private static final Pattern TEMPLATE = Pattern.compile("\\{\\{\\s*\\.([A-Za-z0-9_]+)\\s*}}");
    static final String NO_VALUE = "<no value>";

    private EndpointMatcher() {}

    public static List<NetworkServiceEndpoint> match(
            NetworkService service, Map<String, String> requestLabels,
            List<NetworkServiceEndpoint> candidates, Instant now) {
        List<NetworkServiceEndpoint> alive = candidates.stream().filter(nse -> !isExpired(nse, now)).toList();
        for (Match match : service.getMatchesList()) {
            if (!isSubset(match.getSourceSelectorMap(), requestLabels, requestLabels)) {
                continue;
            }
            Set<NetworkServiceEndpoint> chosen = new LinkedHashSet<>();
            for (Destination route : match.getRoutesList()) {
                for (NetworkServiceEndpoint nse : alive) {
                    if (isSubset(route.getDestinationSelectorMap(), labelsFor(nse, service.getName()), requestLabels)) {
                        chosen.add(nse);
                    }
                }
            }
            if (chosen.isEmpty() && match.getFallthrough()) {
                continue;
            }
            return new ArrayList<>(chosen);
        }
        return alive;
    }

    /** Replaces {@code {{.key}}} references in {@code value} with request labels. */
    static String substitute(String value, Map<String, String> requestLabels) {
        if (!value.contains("{{")) {
            return value;
        }
        Matcher m = TEMPLATE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(requestLabels.getOrDefault(m.group(1), NO_VALUE)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean isSubset(Map<String, String> selector, Map<String, String> labels,
                                    Map<String, String> requestLabels) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!substitute(e.getValue(), requestLabels).equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> labelsFor(NetworkServiceEndpoint nse, String service) {
        NetworkServiceLabels labels = nse.getNetworkServiceLabelsMap().get(service);
        return labels == null ? Map.of() : labels.getLabelsMap();
    }

    private static boolean isExpired(NetworkServiceEndpoint nse, Instant now) {
        return !ProtoTime.isUnset(nse.getExpirationTime()) && !ProtoTime.toInstant(nse.getExpirationTime()).isAfter(now);
    }
}
