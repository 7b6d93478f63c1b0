package io.ensm.openstack;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Redact;
import io.ensm.core.spi.Secret;
import io.ensm.core.spi.VlanRange;
import io.ensm.openstack.keystone.CloudsYaml;
import io.ensm.openstack.keystone.Credentials;
import io.ensm.openstack.keystone.Ref;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
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

    public static final Set<String> KEYS = Set.of("cloud", "clouds-file", "auth-url", "username", "password", "password-file",
            "password-env", "project", "project-id", "domain", "user-domain", "project-domain", "region", "interface",
            "network", "trunk", "server", "physical-network", "uplink", "vlans", "subport-networks", "subport-mac", "plans",
            "timeout", "token-renew-before", "auth-retry-after");

    public OpenStackSettings {
        plans = Set.copyOf(plans);
    }

    /** Parses settings with the process environment and home directory. */
    public static OpenStackSettings parse(Map<String, String> settings) {
        String home = System.getProperty("user.home");
        return parse(settings, System::getenv, home == null ? null : Path.of(home));
    }

    /** Parses settings; IllegalArgumentException naming the key for anything missing or malformed. */
    public static OpenStackSettings parse(Map<String, String> settings, Function<String, String> env, Path home) {
        SettingsReader r = new SettingsReader(settings, KEYS);
        if (r.has("password")) {
            throw new IllegalArgumentException("password: not accepted in the configuration; "
                    + "put it in a file (password-file) or an environment variable (password-env)");
        }
        Credentials credentials = credentials(r, env, home);
        Target target = target(r);
        String physnet = r.required("physical-network", "the provider physical network ensm's uplink reaches, e.g. physnet1");
        String uplink = r.required("uplink", "ensm's interface on " + physnet);
        VlanRange vlans = null;
        if (r.has("vlans")) {
            try {
                vlans = VlanRange.parse(r.optional("vlans"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("vlans: " + e.getMessage());
            }
        }
        if (target instanceof Target.Network && vlans != null && vlans.size() != 1) {
            throw new IllegalArgumentException("vlans: a network endpoint's VLAN is its one provider segment, not a range ("
                    + vlans + ")");
        }
        if (!(target instanceof Target.Network) && vlans == null) {
            throw new IllegalArgumentException("vlans: missing (the VLAN ids ensm may give subports, e.g. 100-199)");
        }
        String mac = r.orDefault("subport-mac", "parent");
        if (!mac.equals("parent") && !mac.equals("neutron")) {
            throw new IllegalArgumentException("subport-mac: '" + mac + "' is neither parent nor neutron");
        }
        return new OpenStackSettings(credentials, target, physnet, uplink, vlans,
                r.orDefault("subport-networks", "ensm-subports=" + physnet), mac.equals("parent"), plans(r),
                r.duration("timeout", Duration.ofSeconds(30)),
                r.duration("token-renew-before", Duration.ofMinutes(5)),
                r.duration("auth-retry-after", Duration.ofSeconds(15)));
    }

    private static Target target(SettingsReader r) {
        int given = (r.has("network") ? 1 : 0) + (r.has("trunk") ? 1 : 0) + (r.has("server") ? 1 : 0);
        if (given != 1) {
            throw new IllegalArgumentException((given == 0 ? "network: missing" : "network/trunk/server: more than one given")
                    + " (exactly one of network, trunk or server names what the endpoint exposes)");
        }
        if (r.has("network")) {
            return new Target.Network(r.optional("network"));
        }
        if (r.has("trunk")) {
            return new Target.Trunk(r.optional("trunk"));
        }
        String server = r.optional("server");
        if (!server.matches("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")) {
            throw new IllegalArgumentException("server: '" + server + "' is not a server id (a UUID; names need Nova, which ensm does not call)");
        }
        return new Target.Server(server);
    }

    private static Set<PlanKind> plans(SettingsReader r) {
        Set<PlanKind> plans = EnumSet.noneOf(PlanKind.class);
        for (String p : r.orDefault("plans", "forwarder-vxlan,fabric-vlan").split(",")) {
            String name = p.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            if (name.equals(PlanKind.FORWARDER_VXLAN.name()) || name.equals(PlanKind.FABRIC_VLAN.name())) {
                plans.add(PlanKind.valueOf(name));
            } else {
                throw new IllegalArgumentException("plans: unknown plan '" + p.trim() + "' (known: forwarder-vxlan, fabric-vlan)");
            }
        }
        return plans;
    }

    private static Credentials credentials(SettingsReader r, Function<String, String> env, Path home) {
        CloudsYaml.Entry entry = null;
        if (r.has("cloud")) {
            Path file;
            try {
                file = r.has("clouds-file") ? Path.of(r.optional("clouds-file"))
                        : CloudsYaml.find(CloudsYaml.searchPath(envMap(env), home));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("clouds-file: " + e.getMessage());
            }
            try {
                entry = CloudsYaml.read(file, r.optional("cloud"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cloud: " + e.getMessage());
            }
        } else if (r.has("clouds-file")) {
            throw new IllegalArgumentException("cloud: missing (clouds-file is set, but not which cloud of it to use)");
        }
        String authUrl = pick(r, "auth-url", entry == null ? null : entry.authUrl(), "Keystone's URL, e.g. http://keystone:5000/v3");
        String username = pick(r, "username", entry == null ? null : entry.username(), "the user ensm authenticates as");
        Ref project = r.has("project-id") ? Ref.id(r.optional("project-id"))
                : r.has("project") ? Ref.name(r.optional("project")) : entry == null ? null : entry.project();
        if (project == null) {
            throw new IllegalArgumentException("project: missing (the project ensm's ports and subports belong to)");
        }
        Ref domain = r.has("domain") ? Ref.name(r.optional("domain")) : null;
        Ref userDomain = r.has("user-domain") ? Ref.name(r.optional("user-domain"))
                : domain != null ? domain : entry != null && entry.userDomain() != null ? entry.userDomain() : Ref.name("Default");
        Ref projectDomain = r.has("project-domain") ? Ref.name(r.optional("project-domain"))
                : domain != null ? domain : entry != null && entry.projectDomain() != null ? entry.projectDomain() : Ref.name("Default");
        String region = r.has("region") ? r.optional("region") : entry == null ? null : entry.region();
        String iface = (r.has("interface") ? r.optional("interface")
                : entry != null && entry.endpointInterface() != null ? entry.endpointInterface() : "public").toLowerCase(Locale.ROOT);
        if (!Set.of("public", "internal", "admin").contains(iface)) {
            throw new IllegalArgumentException("interface: '" + iface + "' is not public, internal or admin");
        }
        return new Credentials(url(authUrl), username, userDomain, password(r, env, entry), project, projectDomain, region, iface);
    }

    private static Secret password(SettingsReader r, Function<String, String> env, CloudsYaml.Entry entry) {
        if (r.has("password-file") && r.has("password-env")) {
            throw new IllegalArgumentException("password-file: password-env is set too; give one of them");
        }
        if (r.has("password-file")) {
            Path file = Path.of(r.optional("password-file"));
            try {
                return Secret.fromFile(file);
            } catch (Secret.EmptyFileException e) {
                throw new IllegalArgumentException("password-file: " + Redact.secretFile(file.toString()) + " is empty");
            } catch (IOException e) {
                // the path is shown only when it looks like one: it may be the password pasted in
                throw new IllegalArgumentException("password-file: cannot read " + Redact.secretFile(file.toString()) + " ("
                        + Redact.readFailure(e) + ")");
            }
        }
        if (r.has("password-env")) {
            String name = r.optional("password-env");
            String value = env.apply(name);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("password-env: environment variable " + Redact.envName(name) + " is not set or empty");
            }
            return Secret.of(value);
        }
        if (entry != null && entry.password() != null) {
            return entry.password();
        }
        throw new IllegalArgumentException("password-file: missing (or password-env, or a password in the clouds.yaml entry)");
    }

    private static String pick(SettingsReader r, String key, String fromCloud, String what) {
        String v = r.has(key) ? r.optional(key) : fromCloud;
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
