package io.ensm.tf.testbed;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plain HTTP calls to a VNC API (OpenSDN's or the double), for setting up and inspecting what
 * tests need without ensm's client in between. Calls that set up or inspect fail the test when TF
 * refuses them; {@link #send} answers whatever TF answered.
 */
public final class TfRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;

    public TfRest(String base) {
        this.base = base.replaceAll("/+$", "");
    }

    public String base() {
        return base;
    }

    /** An answer as it came: status and body. */
    public record Answer(int status, String body) {
        public JsonNode json() {
            return JSON.readTree(body);
        }

        public boolean ok() {
            return status == 200;
        }
    }

    public Answer send(String method, String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + base + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Answer get(String path) {
        return send("GET", path, null);
    }

    public Answer post(String path, String json) {
        return send("POST", path, json);
    }

    public Answer put(String path, String json) {
        return send("PUT", path, json);
    }

    public Answer delete(String path) {
        return send("DELETE", path, null);
    }

    /** Creates an object under the parent its fq_name implies; returns its uuid. */
    public String create(String type, String parentType, List<String> fqName, ObjectNode fields) {
        ObjectNode f = fields.deepCopy();
        f.set("fq_name", array(fqName));
        if (parentType != null) {
            f.put("parent_type", parentType);
        }
        Answer a = post("/" + type + "s", wrap(type, f));
        return expectOk("create " + type + " " + fqName, a).json().path(type).path("uuid").asString();
    }

    /** What a GET of the object answers (with refs, back refs and children); empty on 404. */
    public Optional<ObjectNode> read(String type, String uuid) {
        Answer a = get("/" + type + "/" + uuid);
        if (a.status() == 404) {
            return Optional.empty();
        }
        return Optional.of((ObjectNode) expectOk("read " + type + " " + uuid, a).json().path(type));
    }

    /** Reads an object that must exist. */
    public ObjectNode fields(String type, String uuid) {
        return read(type, uuid).orElseThrow(() -> new AssertionError("TF has no " + type + " " + uuid));
    }

    /** An operator's PUT of some fields. */
    public void update(String type, String uuid, ObjectNode fields) {
        expectOk("update " + type + " " + uuid, put("/" + type + "/" + uuid, wrap(type, fields)));
    }

    public void update(String type, String uuid, String fieldsJson) {
        update(type, uuid, (ObjectNode) JSON.readTree(fieldsJson));
    }

    /** Deletes; false when TF did not have it. */
    public boolean remove(String type, String uuid) {
        Answer a = delete("/" + type + "/" + uuid);
        if (a.status() == 404) {
            return false;
        }
        expectOk("delete " + type + " " + uuid, a);
        return true;
    }

    public Optional<String> fqNameToId(String type, List<String> fqName) {
        ObjectNode body = NODES.objectNode().put("type", type);
        body.set("fq_name", array(fqName));
        Answer a = post("/fqname-to-id", body.toString());
        if (a.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(expectOk("fqname-to-id " + type + " " + fqName, a).json().path("uuid").asString());
    }

    public String uuidOf(String type, List<String> fqName) {
        return fqNameToId(type, fqName).orElseThrow(() -> new AssertionError("TF has no " + type + " " + fqName));
    }

    /** Adds or deletes a ref, naming the referred object by uuid as OpenSDN's client library does. */
    public void refUpdate(String type, String uuid, String refType, String refUuid, String operation) {
        ObjectNode body = NODES.objectNode().put("type", type).put("uuid", uuid).put("ref-type", refType).put("ref-uuid", refUuid)
                .put("operation", operation);
        body.putNull("ref-fq-name");
        body.putNull("attr");
        expectOk(operation + " ref " + type + " " + uuid + " -> " + refType + " " + refUuid, post("/ref-update", body.toString()));
    }

    /** The uuids of the objects of a type under a parent. */
    public List<String> childUuids(String type, String parentUuid) {
        return uuids(expectOk("list " + type, get("/" + type + "s?parent_id=" + parentUuid)).json().path(type + "s"));
    }

    /** The uuids of the objects of a type that refer to the given object. */
    public List<String> referrerUuids(String type, String referredUuid) {
        return uuids(expectOk("list " + type, get("/" + type + "s?back_ref_id=" + referredUuid)).json().path(type + "s"));
    }

    private static List<String> uuids(JsonNode items) {
        List<String> out = new ArrayList<>();
        items.forEach(i -> out.add(i.path("uuid").asString()));
        return out;
    }

    /** The uuids of a ref list of an object read from TF ({@code virtual_network_refs}, ...). */
    public static List<String> refUuids(JsonNode object, String field) {
        List<String> out = new ArrayList<>();
        object.path(field).forEach(r -> out.add(r.path("uuid").asString("")));
        return out;
    }

    private static Answer expectOk(String what, Answer a) {
        if (!a.ok()) {
            throw new AssertionError(what + ": TF answered " + a.status() + " " + a.body());
        }
        return a;
    }

    static String wrap(String type, ObjectNode fields) {
        ObjectNode body = NODES.objectNode();
        body.set(type, fields);
        return body.toString();
    }

    public static ArrayNode array(List<String> items) {
        ArrayNode a = NODES.arrayNode();
        items.forEach(a::add);
        return a;
    }
}
