package io.ensm.tf.backend;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Redact;
import io.ensm.core.spi.VlanRange;
import io.ensm.tf.vnc.FqName;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one {@code tungsten} endpoint, checked. Every problem is reported as an
 * IllegalArgumentException whose message starts with the settings key.
 *
 * @param apiUrl         the VNC API, e.g. http://tf-config:8082
 * @param virtualNetwork the TF virtual network exposed as the NSE, {@code domain:project:name}
 * @param fabric         the fabric the virtual-port-group belongs to
 * @param portGroup      the virtual-port-group of ensm's fabric uplink (its ports are TF's physical interfaces)
 * @param uplink         ensm's interface on which the fabric VLANs arrive
 * @param vlans          VLAN ids ensm may use on that uplink
 * @param plans          FORWARDER_VXLAN and/or FABRIC_VLAN
 * @param timeout        per API call
 * @param retries        extra attempts after a transient failure
 * @param auth           how ensm authenticates to the API
 */
public record TungstenSettings(URI apiUrl, FqName virtualNetwork, String fabric, String portGroup, String uplink,
                               VlanRange vlans, Set<PlanKind> plans, Duration timeout, int retries, Auth auth) {

    public static final String API_URL = "api-url";
    public static final String VIRTUAL_NETWORK = "virtual-network";
    public static final String FABRIC = "fabric";
    public static final String PORT_GROUP = "port-group";
    public static final String UPLINK = "uplink";
    public static final String VLANS = "vlans";
    public static final String PLANS = "plans";
    public static final String TIMEOUT = "timeout";
    public static final String RETRIES = "retries";
    public static final String TOKEN_FILE = "token-file";
    public static final String KEYSTONE_URL = "keystone-url";
    public static final String KEYSTONE_USERNAME = "keystone-username";
    public static final String KEYSTONE_PASSWORD_FILE = "keystone-password-file";
    public static final String KEYSTONE_PROJECT = "keystone-project";
    public static final String KEYSTONE_USER_DOMAIN = "keystone-user-domain";
    public static final String KEYSTONE_PROJECT_DOMAIN = "keystone-project-domain";

    private static final Set<String> KNOWN = Set.of(API_URL, VIRTUAL_NETWORK, FABRIC, PORT_GROUP, UPLINK, VLANS, PLANS, TIMEOUT,
            RETRIES, TOKEN_FILE, KEYSTONE_URL, KEYSTONE_USERNAME, KEYSTONE_PASSWORD_FILE, KEYSTONE_PROJECT,
            KEYSTONE_USER_DOMAIN, KEYSTONE_PROJECT_DOMAIN);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)?");

    /** How ensm authenticates to the VNC API. */
    public sealed interface Auth {
        /** TF runs with {@code auth=noauth}. */
        record None() implements Auth {}

        /** A token read from a file (sent as {@code X-Auth-Token}). */
        record TokenFile(Path file) implements Auth {}

        /** Keystone v3 password authentication, scoped to a project. */
        record Keystone(URI url, String username, Path passwordFile, String project, String userDomain,
                        String projectDomain) implements Auth {}
    }

    public static TungstenSettings parse(Map<String, String> raw) {
        Map<String, String> s = new LinkedHashMap<>(raw);
        for (String key : s.keySet()) {
            if (!KNOWN.contains(key)) {
                throw new IllegalArgumentException(key + ": unknown setting (known: " + new TreeSet<>(KNOWN) + ")");
            }
        }
        URI api = url(API_URL, required(s, API_URL, "the TF config API, e.g. http://tf-config:8082"));
        FqName vn = virtualNetwork(required(s, VIRTUAL_NETWORK, "the TF virtual network as domain:project:name"));
        String fabric = name(FABRIC, s.getOrDefault(FABRIC, "default-fabric"));
        String portGroup = name(PORT_GROUP, required(s, PORT_GROUP, "the virtual-port-group of ensm's fabric uplink"));
        String uplink = required(s, UPLINK, "ensm's interface on which the fabric VLANs arrive");
        VlanRange vlans;
        try {
            vlans = VlanRange.parse(required(s, VLANS, "the VLAN ids ensm may use on the uplink, e.g. 300-399"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(VLANS + ": " + e.getMessage());
        }
        return new TungstenSettings(api, vn, fabric, portGroup, uplink.trim(), vlans,
                plans(s.getOrDefault(PLANS, "forwarder-vxlan,fabric-vlan")), duration(TIMEOUT, s.getOrDefault(TIMEOUT, "10s")),
                retries(s.getOrDefault(RETRIES, "2")), auth(s));
    }

    private static String required(Map<String, String> s, String key, String what) {
        String v = s.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(key + ": missing (" + what + ")");
        }
        return v.trim();
    }

    private static URI url(String key, String text) {
        if (Redact.hasUserInfo(text)) {
            // a password there would be sent in the clear and printed with every message naming the URL
            throw new IllegalArgumentException(key + ": '" + Redact.url(text) + "' carries a user or password, which is not accepted"
                    + " (use " + TOKEN_FILE + ", or " + KEYSTONE_URL + " with " + KEYSTONE_PASSWORD_FILE + ")");
        }
        try {
            URI u = new URI(text);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException(key + ": '" + text + "' is not an http:// or https:// URL with a host");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + ": '" + text + "' is not a URL: " + e.getReason());
        }
    }

    private static FqName virtualNetwork(String text) {
        FqName name;
        try {
            name = FqName.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(VIRTUAL_NETWORK + ": '" + text + "': " + e.getMessage());
        }
        if (name.size() != 3) {
            throw new IllegalArgumentException(VIRTUAL_NETWORK + ": '" + text + "' is not domain:project:name");
        }
        return name;
    }

    private static String name(String key, String text) {
        String t = text.trim();
        if (t.isEmpty() || t.indexOf(':') >= 0) {
            throw new IllegalArgumentException(key + ": '" + text + "' is not a TF object name (non-empty, no ':')");
        }
        return t;
    }

    private static Set<PlanKind> plans(String text) {
        Set<PlanKind> plans = EnumSet.noneOf(PlanKind.class);
        for (String p : text.split(",")) {
            String name = p.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            if (!name.equals(PlanKind.FORWARDER_VXLAN.name()) && !name.equals(PlanKind.FABRIC_VLAN.name())) {
                throw new IllegalArgumentException(PLANS + ": '" + p.trim() + "' is not a plan of a TF endpoint (forwarder-vxlan, fabric-vlan)");
            }
            plans.add(PlanKind.valueOf(name));
        }
        return plans;
    }

    static Duration duration(String key, String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(key + ": '" + text + "' is not a duration such as 500ms, 10s or 1m");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.toMillis() < 100 || d.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException(key + ": " + text + " is outside 100ms-5m");
        }
        return d;
    }

    private static int retries(String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 0 && n <= 10) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(RETRIES + ": '" + text + "' is not a number from 0 to 10");
    }

    private static Auth auth(Map<String, String> s) {
        boolean token = s.containsKey(TOKEN_FILE);
        boolean keystone = s.containsKey(KEYSTONE_URL);
        if (token && keystone) {
            throw new IllegalArgumentException(TOKEN_FILE + ": set either " + TOKEN_FILE + " or " + KEYSTONE_URL + ", not both");
        }
        if (token) {
            return new Auth.TokenFile(Path.of(required(s, TOKEN_FILE, "a file holding the X-Auth-Token")));
        }
        if (!keystone) {
            for (String k : s.keySet()) {
                if (k.startsWith("keystone-")) {
                    throw new IllegalArgumentException(k + ": needs " + KEYSTONE_URL);
                }
            }
            return new Auth.None();
        }
        return new Auth.Keystone(url(KEYSTONE_URL, required(s, KEYSTONE_URL, "Keystone's identity URL")),
                required(s, KEYSTONE_USERNAME, "the Keystone user ensm authenticates as"),
                Path.of(required(s, KEYSTONE_PASSWORD_FILE, "a file holding that user's password")),
                required(s, KEYSTONE_PROJECT, "the Keystone project the token is scoped to"),
                s.getOrDefault(KEYSTONE_USER_DOMAIN, "Default").trim(),
                s.getOrDefault(KEYSTONE_PROJECT_DOMAIN, "Default").trim());
    }

    /** The VLAN-id pool of this endpoint: shared with every endpoint behind the same uplink. */
    public String vlanPool() {
        return "uplink:" + uplink;
    }
}
