package io.ensm.openstack.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ensm.core.spi.Secret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One cloud of an OpenStack {@code clouds.yaml}, the file the openstack CLI and SDKs read. Only
 * password authentication against Keystone v3 is taken; the file is searched where the SDKs
 * search it when no path is given.
 */
public final class CloudsYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private CloudsYaml() {}

    /** What a cloud entry says; absent values are null. */
    public record Entry(String authUrl, String username, Secret password, Ref project, Ref userDomain,
                        Ref projectDomain, String region, String endpointInterface) {
        @Override
        public String toString() {
            return "Entry[" + username + " at " + authUrl + " project " + project + "]";
        }
    }

    /** The places the OpenStack SDKs look, in their order. */
    public static List<Path> searchPath(Map<String, String> env, Path home) {
        List<Path> paths = new ArrayList<>();
        String explicit = env.get("OS_CLIENT_CONFIG_FILE");
        if (explicit != null && !explicit.isBlank()) {
            paths.add(Path.of(explicit));
        }
        paths.add(Path.of("clouds.yaml"));
        if (home != null) {
            paths.add(home.resolve(".config/openstack/clouds.yaml"));
        }
        paths.add(Path.of("/etc/openstack/clouds.yaml"));
        return paths;
    }

    /** Finds the first existing file of the search path; IllegalArgumentException naming the places tried. */
    public static Path find(List<Path> searchPath) {
        for (Path p : searchPath) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no clouds.yaml found (looked in " + searchPath + "); set clouds-file");
    }

    /** Reads cloud {@code name}; IllegalArgumentException saying what is wrong with the file or entry. */
    public static Entry read(Path file, String name) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            // the parser's message may quote file content, which can hold a password: keep only the place
            throw new IllegalArgumentException("cannot read " + file + " as YAML (" + e.getClass().getSimpleName() + ")");
        }
        JsonNode cloud = root == null ? null : root.path("clouds").get(name);
        if (cloud == null || !cloud.isObject()) {
            throw new IllegalArgumentException("cloud '" + name + "' is not in " + file);
        }
        String authType = text(cloud, "auth_type");
        if (authType != null && !authType.equals("password") && !authType.equals("v3password")) {
            throw new IllegalArgumentException("cloud '" + name + "' in " + file + " uses auth_type " + authType
                    + "; only password authentication is supported");
        }
        JsonNode auth = cloud.path("auth");
        String domainName = text(auth, "domain_name");
        String domainId = text(auth, "domain_id");
        String password = text(auth, "password");
        return new Entry(text(auth, "auth_url"), text(auth, "username"),
                password == null || password.isEmpty() ? null : Secret.of(password),
                ref(text(auth, "project_id"), text(auth, "project_name")),
                ref(or(text(auth, "user_domain_id"), domainId), or(text(auth, "user_domain_name"), domainName)),
                ref(or(text(auth, "project_domain_id"), domainId), or(text(auth, "project_domain_name"), domainName)),
                text(cloud, "region_name"), text(cloud, "interface"));
    }

    private static Ref ref(String id, String name) {
        if (id != null && !id.isBlank()) {
            return Ref.id(id);
        }
        return name == null || name.isBlank() ? null : Ref.name(name);
    }

    private static String or(String a, String b) {
        return a != null ? a : b;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
