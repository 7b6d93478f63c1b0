package io.ensm.tf.vncdouble;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP server that behaves like OpenSDN's (Tungsten Fabric's) config API (the "VNC API" of
 * {@code contrail-api} on port 8082) for the objects ensm uses. The backend's contract tests run
 * against OpenSDN's own server ({@code scripts/opensdn-testbed}); the double serves what that
 * server cannot be made to do on demand (faults, delays, lost answers, tokens and Keystone) and
 * the benchmark's added delays. {@code VncApiContractTest} runs the same requests against both
 * and compares statuses and bodies.
 *
 * <p>What it follows, from TF's public schema (tf-api-client {@code vnc_cfg.xsd}, {@code fabric.xsd}
 * and the yaml schema) and its API server ({@code vnc_cfg_api_server}), as seen against the real one:
 * <ul>
 * <li>At start it holds what OpenSDN makes itself: default-domain, default-project with its
 * default-network-ipam, default-global-system-config and default-fabric, enterprise style.</li>
 * <li>Resources: {@code POST /<type>s} with a {@code {"<type>": {...}}} body answers
 * {@code {"<type>": {name, fq_name, uuid, href, parent_type, parent_uuid, parent_href}}};
 * {@code GET|PUT|DELETE /<type>/<uuid>} (a GET with {@code ?fields=}: those and the identity only);
 * {@code GET /<type>s?parent_id=&back_ref_id=&obj_uuids=&detail=&fields=}
 * answers {@code {"<type>s": [...]}}, items {@code {"<type>": {...}}} with {@code detail=true}.
 * Types are the hyphenated resource names; JSON fields use underscores.</li>
 * <li>Identity: a uuid is assigned unless the request sends one (a sent uuid that exists is 409
 * "... already exists with fq_name: ..."); fq_name is unique per type (409 "[...] already exists
 * with uuid: ..."); the parent (fq_name minus its last name) must exist (404 "Name[...] not
 * found"); config-root children (instance-ip, domain, global-system-config) have a one-name
 * fq_name.</li>
 * <li>Refs: {@code <type>_refs: [{to, uuid, attr}]}, resolved by {@code to} (the fq_name) alone:
 * a ref without one fails with 500 "KeyError: 'to'", one that names no object is refused (400
 * "Unknown reference in resource create ..."); only to types the schema allows ({@link TypeSchema}).
 * Reads add {@code href}s, {@code <type>_back_refs} and children lists ({@code <child_type>s}).</li>
 * <li>Read of an unknown id: 404 "Unknown id: ..."; of another type's id: 404 "No <type> object
 * found for id ...". Delete: 404 "ID ... does not exist" for an unknown id; 409 "Delete when
 * children still present: [hrefs]"; 409 "Delete when resource still referred: [hrefs]" unless
 * the referring ref was relaxed for delete (then it is dropped with the object).</li>
 * <li>Actions: {@code POST /fqname-to-id} {@code {type, fq_name}} -> {@code {uuid}} or 404 "Name
 * [...] not found"; {@code POST /id-to-fqname}; {@code POST /ref-update} {@code {type, uuid,
 * ref-type, ref-uuid, ref-fq-name, operation: ADD|DELETE, attr}} -> {@code {uuid}}, 400 for a
 * missing field or another operation, 404 "Unknown id: <uuid>" for an unknown object or added
 * ref, 404 "Name [...] not found" for an unknown ref-fq-name; {@code POST /ref-relax-for-delete}.</li>
 * <li>Errors: the status with TF's message as the plain body (the API server returns
 * {@code err.body}); an unknown type is 404 "Resource type '...' not found".</li>
 * <li>Type rules: {@link InterfaceRules} (bare-metal binding to a virtual-port-group, VLAN
 * checks), {@link InstanceIpRules} (address in a subnet, not in use, not one TF keeps),
 * {@link NetworkRules} (a subnet's gateway and service address) and {@link PortGroupRules} (no
 * physical interfaces in a group's create).</li>
 * <li>Authentication (optional): with a token required, a call without a valid
 * {@code X-Auth-Token} is 401 with keystonemiddleware's JSON error. Tokens are accepted as given
 * ({@link #requireToken}) or issued by a Keystone v3 stand-in at {@code POST /v3/auth/tokens}
 * (password method, project scope; 201 with the token in {@code X-Subject-Token}).</li>
 * </ul>
 * Not modelled: RBAC/perms2, quotas, draft/security policies, the other ~200 types, routing
 * instances (the API server links each interface to its network's own), and the side effects TF's
 * schema transformer and device manager have later (switch configuration). For tests it records
 * every call and can fail, delay or stop answering.
 */
public final class VncApiDouble implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UNAUTHORIZED = "{\"error\": {\"code\": 401, \"title\": \"Unauthorized\", "
            + "\"message\": \"The request you have made requires authentication.\"}}";

    private final ObjectStore store = new ObjectStore(this::url);
    private final ApiActions actions = new ApiActions(store);
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final java.util.concurrent.atomic.AtomicLong busyNanos = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean tokenRequired;
    private volatile KeystoneUser keystoneUser;
    private volatile Duration delay = Duration.ZERO;
    private HttpServer server;
    private int port;

    /** A planned misbehaviour: answer {@code status} instead, or (status 0) do the work but answer {@code late} later. */
    private record Fault(String method, String pathPrefix, int status, String message, Duration late, int[] remaining) {}

    private record KeystoneUser(String name, String password, String project) {}

    static {
        // The JDK server leaves Nagle's algorithm on: answers written in several pieces would then
        // wait ~40 ms for the client's delayed ACK, which is the double's artefact, not TF's.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private VncApiDouble() {
        store.rules("virtual-machine-interface", new InterfaceRules());
        store.rules("instance-ip", new InstanceIpRules());
        store.rules("virtual-network", new NetworkRules());
        store.rules("network-ipam", new IpamRules());
        store.rules("virtual-port-group", new PortGroupRules());
        makeDefaults();
    }

    /**
     * What OpenSDN's API server makes by itself at its first start: default-domain with
     * default-project and its default-network-ipam, default-global-system-config, and
     * default-fabric, enterprise style (the schema's default for fabric_enterprise_style).
     */
    private void makeDefaults() {
        create("domain", null, List.of("default-domain"), JSON.createObjectNode());
        create("project", "domain", List.of("default-domain", "default-project"), JSON.createObjectNode());
        create("network-ipam", "project", List.of("default-domain", "default-project", "default-network-ipam"), JSON.createObjectNode());
        create("global-system-config", null, List.of("default-global-system-config"), JSON.createObjectNode());
        create("fabric", "global-system-config", List.of("default-global-system-config", "default-fabric"),
                JSON.createObjectNode().put("fabric_enterprise_style", true));
    }

    private void create(String type, String parentType, List<String> fqName, ObjectNode fields) {
        fields.set("fq_name", Names.array(fqName));
        if (parentType != null) {
            fields.put("parent_type", parentType);
        }
        ObjectNode body = JSON.createObjectNode();
        body.set(type, fields);
        store.create(type, body);
    }

    /** Starts on a free loopback port. */
    public static VncApiDouble start() {
        VncApiDouble d = new VncApiDouble();
        d.listen(0);
        return d;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public ObjectStore store() {
        return store;
    }

    /** {@code /ref-update} and the other actions, for tests that change TF as an operator would. */
    public ObjectNode action(String name, String json) {
        JsonNode body = JSON.readTree(json);
        return switch (name) {
            case "ref-update" -> actions.refUpdate(body);
            case "fqname-to-id" -> actions.fqNameToId(body);
            case "id-to-fqname" -> actions.idToFqName(body);
            case "ref-relax-for-delete" -> actions.relaxForDelete(body);
            default -> throw new IllegalArgumentException("no action " + name);
        };
    }

    /** From now on every call needs {@code X-Auth-Token: token} (or a Keystone-issued one). */
    public VncApiDouble requireToken(String token) {
        tokens.add(token);
        tokenRequired = true;
        return this;
    }

    /** Serves {@code POST /v3/auth/tokens} for this user and requires tokens on every VNC call. */
    public VncApiDouble keystoneUser(String name, String password, String project) {
        keystoneUser = new KeystoneUser(name, password, project);
        tokenRequired = true;
        return this;
    }

    /** The tokens accepted now (given, and issued by the Keystone stand-in), for scans of what ensm printed. */
    public Set<String> tokens() {
        return Set.copyOf(tokens);
    }

    /** Every token issued or given so far stops working, as when Keystone tokens expire. */
    public void revokeTokens() {
        tokens.clear();
    }

    /** Every call so far as "METHOD /path" (query left out), in order. */
    public List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    public void clearCalls() {
        calls.clear();
    }

    /** Time spent answering VNC calls so far (from the request to the last byte written), in nanoseconds. */
    public long busyNanos() {
        return busyNanos.get();
    }

    /** The next {@code times} calls whose method and path start as given answer {@code status} with {@code message}. */
    public synchronized void failNext(int times, String method, String pathPrefix, int status, String message) {
        faults.add(new Fault(method, pathPrefix, status, message, Duration.ZERO, new int[] {times}));
    }

    /**
     * The next {@code times} matching calls are carried out but answered only after {@code late}:
     * a client with a shorter timeout loses the answer of a change that was made.
     */
    public synchronized void answerLate(int times, String method, String pathPrefix, Duration late) {
        faults.add(new Fault(method, pathPrefix, 0, "", late, new int[] {times}));
    }

    /** Every answer from now on waits this long (for client timeouts). */
    public void delayAnswers(Duration d) {
        delay = d;
    }

    /** Stops listening: calls are refused as when the API server is down. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** Listens again on the same port with the same objects. */
    public synchronized void restart() {
        if (server == null) {
            listen(port);
        }
    }

    @Override
    public void close() {
        stop();
        executor.shutdownNow();
    }

    private synchronized void listen(int wanted) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), wanted), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + wanted, e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getRawPath();
            calls.add(method + " " + path);
            byte[] body = ex.getRequestBody().readAllBytes();
            if (path.equals("/v3/auth/tokens") && method.equals("POST") && keystoneUser != null) {
                keystone(ex, body);
                return;
            }
            if (tokenRequired && !tokens.contains(String.valueOf(ex.getRequestHeaders().getFirst("X-Auth-Token")))) {
                send(ex, 401, "application/json", UNAUTHORIZED);
                return;
            }
            Fault fault = takeFault(method, path);
            if (fault != null && fault.status != 0) {
                send(ex, fault.status, "text/html; charset=UTF-8", fault.message);
                return;
            }
            pause(delay);
            long started = System.nanoTime();
            try {
                JsonNode answer = dispatch(method, path, query(ex.getRequestURI().getRawQuery()), body);
                if (fault != null) {
                    pause(fault.late);
                }
                send(ex, 200, "application/json", answer == null ? "" : JSON.writeValueAsString(answer));
            } catch (ApiError e) {
                send(ex, e.status(), "text/html; charset=UTF-8", e.getMessage());
            } catch (JacksonException e) {
                send(ex, 400, "text/html; charset=UTF-8", "Bad request: body is not JSON");
            } catch (RuntimeException e) {
                send(ex, 500, "text/html; charset=UTF-8", "Internal error in the VNC API double: " + e);
            } finally {
                busyNanos.addAndGet(System.nanoTime() - started);
            }
        }
    }

    private JsonNode dispatch(String method, String path, Map<String, String> query, byte[] body) {
        List<String> parts = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        if (parts.size() == 1 && method.equals("POST")) {
            JsonNode json = JSON.readTree(body);
            return switch (parts.getFirst()) {
                case "fqname-to-id" -> actions.fqNameToId(json);
                case "id-to-fqname" -> actions.idToFqName(json);
                case "ref-update" -> actions.refUpdate(json);
                case "ref-relax-for-delete" -> actions.relaxForDelete(json);
                default -> store.create(collectionType(parts.getFirst()), json);
            };
        }
        if (parts.size() == 1 && method.equals("GET")) {
            return store.list(collectionType(parts.getFirst()), set(query.get("parent_id")), set(query.get("back_ref_id")),
                    set(query.get("obj_uuids")), "true".equalsIgnoreCase(query.get("detail")), set(query.get("fields")));
        }
        if (parts.size() == 2) {
            return switch (method) {
                case "GET" -> query.containsKey("fields") ? store.read(parts.get(0), parts.get(1), set(query.get("fields")))
                        : store.read(parts.get(0), parts.get(1), !query.containsKey("exclude_back_refs"), !query.containsKey("exclude_children"));
                case "PUT" -> store.update(parts.get(0), parts.get(1), JSON.readTree(body));
                case "DELETE" -> {
                    store.delete(parts.get(0), parts.get(1));
                    yield null; // TF answers a delete with 200 and no body
                }
                default -> throw new ApiError(405, "Method not allowed");
            };
        }
        throw ApiError.notFound("Not found: '" + path + "'");
    }

    /** {@code virtual-networks} -> {@code virtual-network}. */
    private static String collectionType(String plural) {
        if (!plural.endsWith("s")) {
            throw ApiError.notFound("Not found: '/" + plural + "'");
        }
        return plural.substring(0, plural.length() - 1);
    }

    private void keystone(HttpExchange ex, byte[] body) throws IOException {
        KeystoneUser user = keystoneUser;
        JsonNode auth = JSON.readTree(body).path("auth");
        JsonNode password = auth.path("identity").path("password").path("user");
        boolean methodOk = auth.path("identity").path("methods").toString().contains("\"password\"");
        if (!methodOk || !user.name.equals(password.path("name").asString("")) || !user.password.equals(password.path("password").asString(""))
                || !user.project.equals(auth.path("scope").path("project").path("name").asString(""))) {
            send(ex, 401, "application/json", UNAUTHORIZED);
            return;
        }
        String token = "gAAAA" + java.util.UUID.randomUUID().toString().replace("-", "");
        tokens.add(token);
        ex.getResponseHeaders().add("X-Subject-Token", token);
        String expires = java.time.Instant.now().plus(Duration.ofHours(1)).toString();
        send(ex, 201, "application/json", "{\"token\": {\"methods\": [\"password\"], \"expires_at\": \"" + expires + "\", "
                + "\"user\": {\"name\": \"" + user.name + "\"}, \"project\": {\"name\": \"" + user.project + "\"}}}");
    }

    private synchronized Fault takeFault(String method, String path) {
        for (Fault f : faults) {
            if (f.method.equals(method) && path.startsWith(f.pathPrefix) && f.remaining[0] > 0) {
                if (--f.remaining[0] == 0) {
                    faults.remove(f);
                }
                return f;
            }
        }
        return null;
    }

    private static void pause(Duration d) {
        if (!d.isZero()) {
            try {
                Thread.sleep(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void send(HttpExchange ex, int status, String type, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            q.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private static Set<String> set(String commaSeparated) {
        Set<String> s = new LinkedHashSet<>();
        if (commaSeparated != null) {
            for (String item : commaSeparated.split(",")) {
                if (!item.isBlank()) {
                    s.add(item.trim());
                }
            }
        }
        return s;
    }

}
