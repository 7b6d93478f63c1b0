package io.ensm.openstack;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Redact;
import io.ensm.core.spi.Secret;
import io.ensm.core.spi.SettingsReader;
import io.ensm.core.spi.VlanRange;
import io.ensm.openstack.keystone.CloudsYaml;
import io.ensm.openstack.keystone.Credentials;
import io.ensm.openstack.keystone.Ref;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The settings of one {@code openstack} endpoint, validated. Credentials come from a
 * {@code clouds.yaml} entry ({@code cloud}, {@code clouds-file}) or from explicit keys; the
 * password only from a file or an environment variable (or the clouds.yaml entry), never from the
 * configuration itself.
 *
 * @param physicalNetwork    the provider physical network ensm's uplink reaches
 * @param uplink             ensm's interface on that physical network
 * @param vlans              trunk: the subport VLAN pool; network: the network's segment, or null to read it from Neutron
 * @param subportNetworks    trunk: the tag that marks the pre-made subport networks
 * @param subportMacOfParent trunk: give subports the parent port's MAC (what a guest's VLAN interface uses)
 * @param timeout            connect and read timeout of each Keystone and Neutron call
 * @param tokenRenewBefore   renew the token this long before it expires (at most a quarter of its lifetime)
 * @param authRetryAfter     after a refused or failed authentication, fail fast this long before trying again
 */
public record OpenStackSettings(Credentials credentials, Target target, String physicalNetwork, String uplink,
                                VlanRange vlans, String subportNetworks, boolean subportMacOfParent, Set<PlanKind> plans,
                                Duration timeout, Duration tokenRenewBefore, Duration authRetryAfter) {

    public OpenStackSettings {
        plans = Set.copyOf(plans);
    }

    /** Parses settings that belong to nothing in particular (a discovery source's, checked as an endpoint's would be). */
    public static OpenStackSettings parse(Map<String, String> settings) {
        return parse(new SettingsReader("the openstack settings", settings));
    }

    /** Parses settings with the process environment and home directory. */
    public static OpenStackSettings parse(SettingsReader settings) {
        String home = System.getProperty("user.home");
        return parse(settings, System::getenv, home == null ? null : Path.of(home));
    }

    /**
     * Parses settings, ending with {@link SettingsReader#done()}; IllegalArgumentException naming the
     * key for anything missing, malformed or unknown.
     */
    public static OpenStackSettings parse(SettingsReader r, Function<String, String> env, Path home) {
        if (r.has("password")) {
            throw new IllegalArgumentException("password: not accepted in the configuration; "
                    + "put it in a file (password-file) or an environment variable (password-env)");
        }
        Credentials credentials = credentials(r, env, home);
        Target target = target(r);
        String physnet = r.required("physical-network", "the provider physical network ensm's uplink reaches, e.g. physnet1");
        String uplink = r.required("uplink", "ensm's interface on " + physnet);
        VlanRange vlans = r.optionalVlans("vlans").orElse(null);
        if (target instanceof Target.Network && vlans != null && vlans.size() != 1) {
            throw r.invalid("vlans", "a network endpoint's VLAN is its one provider segment, not a range (" + vlans + ")");
        }
        if (!(target instanceof Target.Network) && vlans == null) {
            throw r.invalid("vlans", "missing (the VLAN ids ensm may give subports, e.g. 100-199)");
        }
        String mac = r.string("subport-mac", "parent");
        if (!mac.equals("parent") && !mac.equals("neutron")) {
            throw r.invalid("subport-mac", "'" + mac + "' is neither parent nor neutron");
        }
        OpenStackSettings parsed = new OpenStackSettings(credentials, target, physnet, uplink, vlans,
                r.string("subport-networks", "ensm-subports=" + physnet), mac.equals("parent"),
                r.plans("plans", EnumSet.of(PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN)),
                r.duration("timeout", Duration.ofSeconds(30)),
                r.duration("token-renew-before", Duration.ofMinutes(5)),
                r.duration("auth-retry-after", Duration.ofSeconds(15)));
        r.done();
        return parsed;
    }

    private static Target target(SettingsReader r) {
        int given = (r.has("network") ? 1 : 0) + (r.has("trunk") ? 1 : 0) + (r.has("server") ? 1 : 0);
        if (given != 1) {
            throw new IllegalArgumentException((given == 0 ? "network: missing" : "network/trunk/server: more than one given")
                    + " (exactly one of network, trunk or server names what the endpoint exposes)");
        }
        if (r.has("network")) {
            return new Target.Network(r.required("network", "the network"));
        }
        if (r.has("trunk")) {
            return new Target.Trunk(r.required("trunk", "the trunk"));
        }
        String server = r.required("server", "the server");
        if (!server.matches("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")) {
            throw new IllegalArgumentException("server: '" + server + "' is not a server id (a UUID; names need Nova, which ensm does not call)");
        }
        return new Target.Server(server);
    }

    private static Credentials credentials(SettingsReader r, Function<String, String> env, Path home) {
        CloudsYaml.Entry entry = null;
        if (r.has("cloud")) {
            Path file;
            try {
                file = r.has("clouds-file") ? Path.of(r.required("clouds-file", ""))
                        : CloudsYaml.find(CloudsYaml.searchPath(envMap(env), home));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("clouds-file: " + e.getMessage());
            }
            try {
                entry = CloudsYaml.read(file, r.required("cloud", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cloud: " + e.getMessage());
            }
        } else if (r.has("clouds-file")) {
            throw new IllegalArgumentException("cloud: missing (clouds-file is set, but not which cloud of it to use)");
        }
        String authUrl = pick(r, "auth-url", entry == null ? null : entry.authUrl(), "Keystone's URL, e.g. http://keystone:5000/v3");
        String username = pick(r, "username", entry == null ? null : entry.username(), "the user ensm authenticates as");
        Ref project = r.has("project-id") ? Ref.id(r.required("project-id", ""))
                : r.has("project") ? Ref.name(r.required("project", "")) : entry == null ? null : entry.project();
        if (project == null) {
            throw new IllegalArgumentException("project: missing (the project ensm's ports and subports belong to)");
        }
        Ref domain = r.has("domain") ? Ref.name(r.required("domain", "")) : null;
        Ref userDomain = r.has("user-domain") ? Ref.name(r.required("user-domain", ""))
                : domain != null ? domain : entry != null && entry.userDomain() != null ? entry.userDomain() : Ref.name("Default");
        Ref projectDomain = r.has("project-domain") ? Ref.name(r.required("project-domain", ""))
                : domain != null ? domain : entry != null && entry.projectDomain() != null ? entry.projectDomain() : Ref.name("Default");
        String region = r.has("region") ? r.required("region", "") : entry == null ? null : entry.region();
        String iface = (r.has("interface") ? r.required("interface", "")
                : entry != null && entry.endpointInterface() != null ? entry.endpointInterface() : "public").toLowerCase(Locale.ROOT);
        if (!Set.of("public", "internal", "admin").contains(iface)) {
            throw new IllegalArgumentException("interface: '" + iface + "' is not public, internal or admin");
        }
        return new Credentials(url(authUrl), username, userDomain, password(r, env, entry), project, projectDomain, region, iface);
    }

    private static Secret password(SettingsReader r, Function<String, String> env, CloudsYaml.Entry entry) {
        Optional<Secret> configured = r.secret("password-file", "password-env", env);
        if (configured.isPresent()) {
            return configured.get();
        }
        if (entry != null && entry.password() != null) {
            return entry.password();
        }
        throw r.invalid("password-file", "missing (or password-env, or a password in the clouds.yaml entry)");
    }

    private static String pick(SettingsReader r, String key, String fromCloud, String what) {
        String v = r.optional(key).orElse(fromCloud);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(key + ": missing (" + what + ")");
        }
        return v;
    }

    private static URI url(String text) {
        if (Redact.hasUserInfo(text)) {
            // it would be sent on every call and printed in every message that names Keystone
            throw new IllegalArgumentException("auth-url: '" + Redact.url(text) + "' carries a user or password, which is not accepted"
                    + " (set username, and password-file or password-env)");
        }
        try {
            URI u = new URI(text);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                throw new IllegalArgumentException("auth-url: '" + text + "' is not an http(s) URL");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("auth-url: '" + text + "' is not a URL");
        }
    }

    private static Map<String, String> envMap(Function<String, String> env) {
        String v = env.apply("OS_CLIENT_CONFIG_FILE");
        return v == null ? Map.of() : Map.of("OS_CLIENT_CONFIG_FILE", v);
    }
}
