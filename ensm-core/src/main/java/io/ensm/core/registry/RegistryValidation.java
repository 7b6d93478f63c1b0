package io.ensm.core.registry;

import static io.ensm.core.registry.RegistryLimits.*;

import io.ensm.api.registry.Match;
import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceLabels;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Checks registration requests before they reach the store, so a bad client gets INVALID_ARGUMENT with a
 * message naming the offending field instead of a half-usable entry. Limits are in {@link RegistryLimits}.
 * An endpoint naming a service nobody registered is accepted, as NSM does.
 */
public final class RegistryValidation {
    private RegistryValidation() {}

    public static void validateService(NetworkService ns) {
        name("network service name", ns.getName());
        if (ns.getPayload().length() > MAX_PAYLOAD) {
            throw invalid("network service " + ns.getName() + ": payload longer than " + MAX_PAYLOAD + " characters");
        }
        if (ns.getMatchesCount() > MAX_MATCHES) {
            throw invalid("network service " + ns.getName() + ": more than " + MAX_MATCHES + " matches");
        }
        for (Match m : ns.getMatchesList()) {
            labels("match source_selector", m.getSourceSelectorMap());
            labels("match metadata labels", m.getMetadata().getLabelsMap());
            if (m.getRoutesCount() > MAX_MATCHES) {
                throw invalid("network service " + ns.getName() + ": more than " + MAX_MATCHES + " routes in a match");
            }
            m.getRoutesList().forEach(r -> labels("route destination_selector", r.getDestinationSelectorMap()));
        }
        pathIds(ns.getPathIdsList());
    }

    /** {@code now} is needed because an expiration time already in the past can never be honoured. */
    public static void validateEndpoint(NetworkServiceEndpoint nse, Instant now) {
        name("network service endpoint name", nse.getName());
        String who = "network service endpoint " + nse.getName();
        if (nse.getNetworkServiceNamesCount() == 0) {
            throw invalid(who + ": network_service_names is empty");
        }
        if (nse.getNetworkServiceNamesCount() > MAX_SERVICE_NAMES) {
            throw invalid(who + ": more than " + MAX_SERVICE_NAMES + " network_service_names");
        }
        nse.getNetworkServiceNamesList().forEach(n -> name(who + ": network_service_names entry", n));
        if (nse.getNetworkServiceLabelsCount() > MAX_SERVICE_NAMES) {
            throw invalid(who + ": network_service_labels names more than " + MAX_SERVICE_NAMES + " services");
        }
        for (Map.Entry<String, NetworkServiceLabels> e : nse.getNetworkServiceLabelsMap().entrySet()) {
            name(who + ": network_service_labels key", e.getKey());
            labels(who + ": network_service_labels[" + e.getKey() + "]", e.getValue().getLabelsMap());
        }
        if (nse.getUrl().length() > MAX_URL) {
            throw invalid(who + ": url longer than " + MAX_URL + " characters");
        }
        if (nse.hasExpirationTime() && !ProtoTime.isUnset(nse.getExpirationTime())) {
            var ts = nse.getExpirationTime();
            if (ts.getNanos() < 0 || ts.getNanos() > 999_999_999) {
                throw invalid(who + ": expiration_time has invalid nanos " + ts.getNanos());
            }
            Instant expires = ProtoTime.toInstant(ts);
            if (!expires.isAfter(now)) {
                throw invalid(who + ": expiration_time " + expires + " is not in the future (now " + now + ")");
            }
        }
        pathIds(nse.getPathIdsList());
    }

    /** Unregister only needs a name; unknown names are fine (idempotent). */
    public static void validateName(String what, String name) {
        name(what, name);
    }

    private static void name(String what, String value) {
        if (value.isEmpty()) {
            throw invalid(what + " is empty");
        }
        if (value.length() > MAX_NAME) {
            throw invalid(what + " is longer than " + MAX_NAME + " characters");
        }
    }

    private static void labels(String what, Map<String, String> labels) {
        if (labels.size() > MAX_LABELS) {
            throw invalid(what + " has more than " + MAX_LABELS + " labels");
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey().length() > MAX_LABEL_LENGTH) {
                throw invalid(what + ": label key longer than " + MAX_LABEL_LENGTH + " characters");
            }
            if (e.getValue().length() > MAX_LABEL_LENGTH) {
                throw invalid(what + ": value of label " + e.getKey() + " longer than " + MAX_LABEL_LENGTH + " characters");
            }
        }
    }

    private static void pathIds(List<String> ids) {
        if (ids.size() > MAX_PATH_IDS) {
            throw invalid("path_ids has more than " + MAX_PATH_IDS + " entries");
        }
        for (String id : ids) {
            if (id.length() > MAX_URL) {
                throw invalid("path_ids entry longer than " + MAX_URL + " characters");
            }
        }
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
