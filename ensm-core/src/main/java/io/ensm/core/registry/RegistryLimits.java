package io.ensm.core.registry;

/**
 * Size limits the embedded registry enforces on registered objects; anything larger is rejected with
 * INVALID_ARGUMENT. They bound memory per entry and follow Kubernetes conventions where NSM takes names
 * from there (DNS-1123 subdomain names are at most 253 characters).
 *
 * <ul>
 *   <li>names (service, endpoint, names inside {@code network_service_names}): 1..{@value #MAX_NAME} chars</li>
 *   <li>{@code network_service_names}: at most {@value #MAX_SERVICE_NAMES} entries</li>
 *   <li>labels per map (per service in {@code network_service_labels}, selectors, metadata):
 *       at most {@value #MAX_LABELS}; keys and values at most {@value #MAX_LABEL_LENGTH} chars</li>
 *   <li>{@code network_service_labels}: at most {@value #MAX_SERVICE_NAMES} services</li>
 *   <li>{@code url}: at most {@value #MAX_URL} chars</li>
 *   <li>{@code path_ids}: at most {@value #MAX_PATH_IDS} entries of at most {@value #MAX_URL} chars</li>
 *   <li>{@code payload}: at most {@value #MAX_PAYLOAD} chars</li>
 *   <li>{@code matches}: at most {@value #MAX_MATCHES}; routes per match at most {@value #MAX_MATCHES}</li>
 * </ul>
 */
public final class RegistryLimits {
    public static final int MAX_NAME = 253;
    public static final int MAX_SERVICE_NAMES = 64;
    public static final int MAX_LABELS = 64;
    public static final int MAX_LABEL_LENGTH = 256;
    public static final int MAX_URL = 2048;
    public static final int MAX_PATH_IDS = 64;
    public static final int MAX_PAYLOAD = 64;
    public static final int MAX_MATCHES = 64;

    private RegistryLimits() {}
}
