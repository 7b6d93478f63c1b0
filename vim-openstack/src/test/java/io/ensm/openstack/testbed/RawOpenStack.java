package io.ensm.openstack.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Keystone and Neutron over plain HTTP with {@code java.net.http}: the independent view tests use
 * to set up what an operator would (networks, trunks, users) and to check what ensm did, without
 * any of ensm's classes.
 */
public final class RawOpenStack {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String keystone;
    private final String neutron;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private String token;

    public RawOpenStack(TestBed bed) {
        this.keystone = bed.keystoneUrl();
        this.neutron = bed.neutronUrl() + "/v2.0";
        this.token = login(TestBed.ADMIN, bed.adminPassword(), TestBed.ADMIN);
    }

    /** A project-scoped token for the user, or null when Keystone refuses. */
    public String login(String user, String password, String project) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode u = identity.putObject("password").putObject("user");
        u.put("name", user).put("password", password).putObject("domain").put("id", "default");
        auth.putObject("scope").putObject("project").put("name", project).putObject("domain").put("id", "default");
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(keystone + "/auth/tokens"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
        return r.statusCode() == 201 ? r.headers().firstValue("X-Subject-Token").orElseThrow() : null;
    }

    /** Revokes a token in Keystone. */
    public void revoke(String tokenToRevoke) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(keystone + "/auth/tokens"))
                .header("X-Auth-Token", token).header("X-Subject-Token", tokenToRevoke).DELETE().build());
        check(r, 204, "revoke token");
    }

    /** The HTTP status Neutron answers a GET of /networks with this token. */
    public int statusWithToken(String someToken) {
        return send(HttpRequest.newBuilder(URI.create(neutron + "/networks?limit=1")).header("X-Auth-Token", someToken).GET().build())
                .statusCode();
    }

    // ------------------------------------------------------------------ Keystone admin

    public String createProject(String name) {
        JsonNode existing = keystoneGet("/projects?name=" + enc(name)).path("projects");
        if (!existing.isEmpty()) {
            return existing.get(0).path("id").asText();
        }
        ObjectNode body = JSON.createObjectNode();
        body.putObject("project").put("name", name).put("domain_id", "default");
        return keystonePost("/projects", body).path("project").path("id").asText();
    }

    /** Creates (or resets the password of) a user with the member role on the project. */
    public String createMember(String name, String password, String projectId) {
        JsonNode existing = keystoneGet("/users?name=" + enc(name)).path("users");
        String id;
        if (!existing.isEmpty()) {
            id = existing.get(0).path("id").asText();
            ObjectNode body = JSON.createObjectNode();
            body.putObject("user").put("password", password);
            check(send(json(keystone + "/users/" + id, "PATCH", body)), 200, "reset password");
        } else {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("user").put("name", name).put("password", password).put("domain_id", "default")
                    .put("default_project_id", projectId);
            id = keystonePost("/users", body).path("user").path("id").asText();
        }
        String role = keystoneGet("/roles?name=member").path("roles").get(0).path("id").asText();
        check(send(HttpRequest.newBuilder(URI.create(keystone + "/projects/" + projectId + "/users/" + id + "/roles/" + role))
                .header("X-Auth-Token", token).PUT(HttpRequest.BodyPublishers.noBody()).build()), 204, "grant member");
        return id;
    }

    // ------------------------------------------------------------------ Neutron

    public JsonNode get(String path) {
        HttpResponse<String> r = send(req(path).GET().build());
        check(r, 200, "GET " + path);
        return parse(r.body());
    }

    public int status(String path) {
        return send(req(path).GET().build()).statusCode();
    }

    public JsonNode post(String path, JsonNode body) {
        HttpResponse<String> r = send(json(neutron + path, "POST", body));
        check(r, 201, "POST " + path);
        return parse(r.body());
    }

    public JsonNode put(String path, JsonNode body) {
        HttpResponse<String> r = send(json(neutron + path, "PUT", body));
        check(r, 200, "PUT " + path);
        return parse(r.body());
    }

    /** Deletes; true when it existed. */
    public boolean delete(String path) {
        HttpResponse<String> r = send(req(path).DELETE().build());
        if (r.statusCode() == 404) {
            return false;
        }
        check(r, 204, "DELETE " + path);
        return true;
    }

    /** A provider VLAN network with one IPv4 subnet (no DHCP, no gateway); returns its id. */
    public String vlanNetwork(String name, String physnet, int vlan, String cidr, String projectId, String... tags) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode n = body.putObject("network").put("name", name).put("provider:network_type", "vlan")
                .put("provider:physical_network", physnet).put("provider:segmentation_id", vlan);
        if (projectId != null) {
            n.put("project_id", projectId);
        }
        String id = post("/networks", body).path("network").path("id").asText();
        if (cidr != null) {
            ObjectNode sb = JSON.createObjectNode();
            ObjectNode s = sb.putObject("subnet").put("network_id", id).put("cidr", cidr).put("ip_version", cidr.contains(":") ? 6 : 4)
                    .put("enable_dhcp", false).putNull("gateway_ip").put("name", name + "-subnet");
            if (projectId != null) {
                s.put("project_id", projectId);
            }
            post("/subnets", sb);
        }
        if (tags.length > 0) {
            setTags("networks", id, List.of(tags));
        }
        return id;
    }

    /** A subnet (no DHCP) with a gateway, as an operator makes one for a segment; returns its id. */
    public String subnet(String networkId, String name, String cidr, String gateway) {
        ObjectNode sb = JSON.createObjectNode();
        sb.putObject("subnet").put("network_id", networkId).put("cidr", cidr).put("ip_version", cidr.contains(":") ? 6 : 4)
                .put("enable_dhcp", false).put("gateway_ip", gateway).put("name", name);
        return post("/subnets", sb).path("subnet").path("id").asText();
    }

    public void setTags(String collection, String id, List<String> tags) {
        ObjectNode body = JSON.createObjectNode();
        var a = body.putArray("tags");
        tags.forEach(a::add);
        put("/" + collection + "/" + id + "/tags", body);
    }

    /** A port as Nova would have it for a VM: bound to a host, owned by the server. */
    public String port(String name, String networkId, String... fixedIps) {
        return portIn(null, name, networkId, fixedIps);
    }

    /** A port in the given project (null: the admin's). */
    public String portIn(String projectId, String name, String networkId, String... fixedIps) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode p = body.putObject("port").put("name", name).put("network_id", networkId);
        if (projectId != null) {
            p.put("project_id", projectId);
        }
        if (fixedIps.length > 0) {
            var ips = p.putArray("fixed_ips");
            for (String ip : fixedIps) {
                ips.addObject().put("ip_address", ip);
            }
        }
        return post("/ports", body).path("port").path("id").asText();
    }

    /** A VM's trunk: a parent port on the network, the trunk, then the parent bound to compute-1 for the server. */
    public Trunk vmTrunk(String name, String networkId, String serverId) {
        return vmTrunk(name, networkId, serverId, null);
    }

    /** A VM's trunk in the given project (null: the admin's). */
    public Trunk vmTrunk(String name, String networkId, String serverId, String projectId) {
        String parent = portIn(projectId, name + "-parent", networkId);
        ObjectNode tb = JSON.createObjectNode();
        ObjectNode t = tb.putObject("trunk").put("name", name).put("port_id", parent);
        if (projectId != null) {
            t.put("project_id", projectId);
        }
        String trunk = post("/trunks", tb).path("trunk").path("id").asText();
        ObjectNode bind = JSON.createObjectNode();
        bind.putObject("port").put("binding:host_id", "compute-1").put("device_id", serverId).put("device_owner", "compute:nova");
        JsonNode bound = put("/ports/" + parent, bind).path("port");
        return new Trunk(trunk, parent, bound.path("mac_address").asText());
    }

    public record Trunk(String id, String parentPort, String parentMac) {}

    /** Ports carrying the tag. */
    public List<JsonNode> portsTagged(String tag) {
        List<JsonNode> out = new ArrayList<>();
        get("/ports?tags=" + enc(tag)).path("ports").forEach(out::add);
        return out;
    }

    public List<JsonNode> subports(String trunkId) {
        List<JsonNode> out = new ArrayList<>();
        get("/trunks/" + trunkId + "/get_subports").path("sub_ports").forEach(out::add);
        return out;
    }

    /**
     * Deletes what a test class made, found by name prefix: trunks (after unbinding their parents,
     * which Neutron requires), ports, then networks.
     */
    public void sweep(String prefix) {
        for (JsonNode t : get("/trunks").path("trunks")) {
            if (t.path("name").asText().startsWith(prefix)) {
                String parent = t.path("port_id").asText();
                ObjectNode unbind = JSON.createObjectNode();
                unbind.putObject("port").put("binding:host_id", "");
                put("/ports/" + parent, unbind);
                for (JsonNode s : t.path("sub_ports")) {
                    ObjectNode rm = JSON.createObjectNode();
                    rm.putArray("sub_ports").addObject().put("port_id", s.path("port_id").asText());
                    put("/trunks/" + t.path("id").asText() + "/remove_subports", rm);
                }
                delete("/trunks/" + t.path("id").asText());
            }
        }
        for (JsonNode n : get("/networks").path("networks")) {
            if (n.path("name").asText().startsWith(prefix)) {
                for (JsonNode p : get("/ports?network_id=" + n.path("id").asText()).path("ports")) {
                    delete("/ports/" + p.path("id").asText());
                }
                delete("/networks/" + n.path("id").asText());
            }
        }
    }

    /** Sets the project's port quota (-1: unlimited). */
    public void portQuota(String projectId, int ports) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("quota").put("port", ports);
        put("/quotas/" + projectId, body);
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    public static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    public static List<String> fixedIps(JsonNode port) {
        List<String> out = new ArrayList<>();
        port.path("fixed_ips").forEach(ip -> out.add(ip.path("ip_address").asText()));
        return out;
    }

    private JsonNode keystoneGet(String path) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(keystone + path)).header("X-Auth-Token", token).GET().build());
        check(r, 200, "GET " + path);
        return parse(r.body());
    }

    private JsonNode keystonePost(String path, JsonNode body) {
        HttpResponse<String> r = send(json(keystone + path, "POST", body));
        check(r, 201, "POST " + path);
        return parse(r.body());
    }

    private HttpRequest.Builder req(String path) {
        return HttpRequest.newBuilder(URI.create(neutron + path)).header("X-Auth-Token", token).timeout(Duration.ofSeconds(30));
    }

    private HttpRequest json(String url, String method, JsonNode body) {
        return HttpRequest.newBuilder(URI.create(url)).header("X-Auth-Token", token).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void check(HttpResponse<String> r, int expected, String what) {
        if (r.statusCode() != expected && !(expected == 200 && r.statusCode() == 201)) {
            throw new IllegalStateException(what + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** For messages: a map as "k=v, ...". */
    static String show(Map<String, String> m) {
        return m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }
}
