package io.ensm.tf.backend;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Redact;
import io.ensm.core.spi.SettingsReader;
import io.ensm.core.spi.VlanRange;
import io.ensm.tf.vnc.FqName;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The settings of one {@code tungsten} endpoint, checked. Every problem is reported as an
 * IllegalArgumentException whose message starts with the settings key; an unknown key is refused.
 *
 * @param apiUrl         the VNC API, e.g. http://tf-config:8082
 * @param virtualNetwork the TF virtual network exposed as the NSE, {@code domain:project:name}
 * @param fabric         the fabric the virtual-port-group belongs to; null: the fabric that holds a
 *                       group of that name (there must be exactly one)
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

    public static TungstenSettings parse(SettingsReader s) {
        URI api = url(API_URL, s.required(API_URL, "the TF config API, e.g. http://tf-config:8082"));
        FqName vn = virtualNetwork(s.required(VIRTUAL_NETWORK, "the TF virtual network as domain:project:name"));
        String fabric = s.optional(FABRIC).map(f -> name(FABRIC, f)).orElse(null);
        String portGroup = name(PORT_GROUP, s.required(PORT_GROUP, "the virtual-port-group of ensm's fabric uplink"));
        String uplink = s.required(UPLINK, "ensm's interface on which the fabric VLANs arrive");
        VlanRange vlans = s.vlans(VLANS, "the VLAN ids ensm may use on the uplink, e.g. 300-399");
        Set<PlanKind> plans = s.plans(PLANS, EnumSet.of(PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN));
        Duration timeout = s.duration(TIMEOUT, Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5));
        int retries = s.integer(RETRIES, 0, 10, 2);
        Auth auth = auth(s);
        s.done();
        return new TungstenSettings(api, vn, fabric, portGroup, uplink, vlans, plans, timeout, retries, auth);
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

    private static Auth auth(SettingsReader s) {
        boolean token = s.has(TOKEN_FILE);
        boolean keystone = s.has(KEYSTONE_URL);
        // valid with keystone-url only; read here so that each is named, not called unknown
        List<String> keystoneKeys = List.of(KEYSTONE_USERNAME, KEYSTONE_PASSWORD_FILE, KEYSTONE_PROJECT, KEYSTONE_USER_DOMAIN,
                KEYSTONE_PROJECT_DOMAIN);
        if (token && keystone) {
            throw s.invalid(TOKEN_FILE, "set either " + TOKEN_FILE + " or " + KEYSTONE_URL + ", not both");
        }
        if (!keystone) {
            for (String k : keystoneKeys) {
                if (s.has(k)) {
                    throw s.invalid(k, "needs " + KEYSTONE_URL);
                }
            }
            return token ? new Auth.TokenFile(Path.of(s.required(TOKEN_FILE, "a file holding the X-Auth-Token"))) : new Auth.None();
        }
        return new Auth.Keystone(url(KEYSTONE_URL, s.required(KEYSTONE_URL, "Keystone's identity URL")),
                s.required(KEYSTONE_USERNAME, "the Keystone user ensm authenticates as"),
                Path.of(s.required(KEYSTONE_PASSWORD_FILE, "a file holding that user's password")),
                s.required(KEYSTONE_PROJECT, "the Keystone project the token is scoped to"),
                s.string(KEYSTONE_USER_DOMAIN, "Default"),
                s.string(KEYSTONE_PROJECT_DOMAIN, "Default"));
    }

    /** The VLAN-id pool of this endpoint: shared with every endpoint behind the same uplink. */
    public String vlanPool() {
        return "uplink:" + uplink;
    }
}
