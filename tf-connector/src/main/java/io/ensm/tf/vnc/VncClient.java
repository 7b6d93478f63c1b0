package io.ensm.tf.vnc;

import io.ensm.core.spi.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client of TF's config API ("VNC API", REST on port 8082): objects are created with
 * {@code POST /<type>s} and a {@code {"<type>": {...}}} body, read, updated and deleted at
 * {@code /<type>/<uuid>}, found by name with {@code POST /fqname-to-id}, and linked with
 * {@code POST /ref-update}. Types are the hyphenated resource names ({@code virtual-network}).
 *
 * <p>Every call has a timeout. Transient failures are retried a bounded number of times with a
 * short back-off: a connection that could not be opened, and 502/503 (no API server behind the load
 * balancer). A timeout after the request was sent is retried only for calls that are safe to
 * repeat; an object create is not, and its caller decides. A 401 asks the token source for a new
 * token once.
 */
public final class VncClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VncClient.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final URI base;
    private final Duration timeout;
    private final int retries;
    private final TokenSource tokens;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong calls = new AtomicLong();

    /**
     * @param base    e.g. http://tf-config:8082
     * @param timeout per call (connect and answer)
     * @param retries extra attempts after a transient failure
     */
    public VncClient(URI base, Duration timeout, int retries, TokenSource tokens) {
        this.base = URI.create(base.toString().replaceAll("/+$", ""));
        this.timeout = timeout;
        this.retries = retries;
        this.tokens = tokens;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    public URI base() {
        return base;
    }

    /** HTTP requests sent so far, retries included. */
    public long calls() {
        return calls.get();
    }

    /** What to do with an object: {@code POST /ref-update} operations. */
    public enum RefOperation { ADD, DELETE }

    /** Creates an object; returns TF's answer (name, fq_name, uuid, href, parent_uuid). */
    public ObjectNode create(String type, ObjectNode fields) throws VncException {
        JsonNode answer = call("POST", "/" + type + "s", wrap(type, fields), false);
        return object(answer, type);
    }

    /** Reads an object with its refs, back refs and children; empty when TF does not have it. */
    public Optional<ObjectNode> read(String type, String uuid) throws VncException {
        try {
            return Optional.of(object(call("GET", "/" + type + "/" + uuid, null, true), type));
        } catch (VncException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Reads only the given fields of an object (and its identity), without its back refs and
     * children, which for an object many others refer to can be long; empty when TF does not have it.
     */
    public Optional<ObjectNode> read(String type, String uuid, List<String> fields) throws VncException {
        try {
            return Optional.of(object(call("GET", "/" + type + "/" + uuid + "?fields=" + encode(String.join(",", fields)), null, true), type));
        } catch (VncException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Replaces the given fields of an object. */
    public void update(String type, String uuid, ObjectNode fields) throws VncException {
        call("PUT", "/" + type + "/" + uuid, wrap(type, fields), true);
    }

    /** Deletes an object; false when it was not there. */
    public boolean delete(String type, String uuid) throws VncException {
        try {
            call("DELETE", "/" + type + "/" + uuid, null, true);
            return true;
        } catch (VncException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
    }

    /** The uuid of the object of this type and name, or empty. */
    public Optional<String> fqNameToId(String type, FqName name) throws VncException {
        ObjectNode body = json.createObjectNode();
        body.put("type", type);
        body.set("fq_name", name.toJson());
        try {
            return Optional.of(call("POST", "/fqname-to-id", body, true).path("uuid").asString());
        } catch (VncException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Adds or removes one ref of an object, with an optional attribute. */
    public void refUpdate(String type, String uuid, String refType, String refUuid, FqName refName,
                          RefOperation operation, JsonNode attr) throws VncException {
        ObjectNode body = json.createObjectNode();
        body.put("type", type);
        body.put("uuid", uuid);
        body.put("ref-type", refType);
        body.put("ref-uuid", refUuid);
        body.set("ref-fq-name", refName == null ? null : refName.toJson());
        body.put("operation", operation.name());
        body.set("attr", attr);
        call("POST", "/ref-update", body, true);
    }

    /**
     * The objects of a type under a parent ({@code GET /<type>s?parent_id=..}; all of them when
     * {@code parentUuid} is null): with {@code detail},
     * whole objects; without, each entry holds its uuid, fq_name and href plus the {@code fields}
     * asked for (e.g. {@code annotations}), which keeps a listing of a large project small.
     */
    public List<ObjectNode> list(String type, String parentUuid, List<String> fields, boolean detail) throws VncException {
        return listWhere(type, parentUuid == null ? null : "parent_id=" + encode(parentUuid), fields, detail);
    }

    /**
     * The objects of a type that refer to an object ({@code GET /<type>s?back_ref_id=..}), e.g. the
     * instance-ips of a network; each entry holds its uuid, fq_name and href plus the {@code fields}.
     */
    public List<ObjectNode> listReferring(String type, String referredUuid, List<String> fields) throws VncException {
        return listWhere(type, "back_ref_id=" + encode(referredUuid), fields, false);
    }

    private List<ObjectNode> listWhere(String type, String filter, List<String> fields, boolean detail) throws VncException {
        List<String> query = new ArrayList<>();
        if (filter != null) {
            query.add(filter);
        }
        if (detail) {
            query.add("detail=true");
        }
        if (!fields.isEmpty()) {
            query.add("fields=" + encode(String.join(",", fields)));
        }
        String path = "/" + type + "s" + (query.isEmpty() ? "" : "?" + String.join("&", query));
        JsonNode answer = call("GET", path, null, true);
        List<ObjectNode> objects = new ArrayList<>();
        for (JsonNode item : answer.path(type + "s")) {
            if (detail) {
                objects.add(object(item, type));
            } else if (item instanceof ObjectNode o) {
                objects.add(o);
            }
        }
        return objects;
    }

    private ObjectNode wrap(String type, ObjectNode fields) {
        ObjectNode body = json.createObjectNode();
        body.set(type, fields);
        return body;
    }

    private static ObjectNode object(JsonNode answer, String type) throws VncException {
        if (answer.path(type) instanceof ObjectNode o) {
            return o;
        }
        throw new VncException(200, type, "answer is not a {\"" + type + "\": {...}} object");
    }

    private JsonNode call(String method, String path, JsonNode body, boolean repeatable) throws VncException {
        URI uri = URI.create(base + path);
        String request = method + " " + base + path;
        String text = body == null ? null : json.writeValueAsString(body);
        VncException last = null;
        boolean renewed = false;
        boolean sent = false; // some attempt reached the server and its answer was lost
        for (int attempt = 0; attempt <= retries; attempt++) {
            if (attempt > 0) {
                backoff(attempt, request, last);
            }
            Optional<Secret> token = tokens.current();
            long started = System.nanoTime();
            HttpResponse<String> response;
            try {
                calls.incrementAndGet();
                response = http.send(build(uri, method, text, token), HttpResponse.BodyHandlers.ofString());
            } catch (HttpConnectTimeoutException | ConnectException e) {
                last = new VncException(VncException.NO_ANSWER, request, "cannot reach the TF API: " + describe(e), sent, e);
                continue;
            } catch (HttpTimeoutException e) {
                sent = true;
                last = new VncException(VncException.NO_ANSWER, request, "no answer within " + timeout.toMillis() + " ms"
                        + (repeatable ? "" : " (the change may or may not have been made)"), true, e);
                if (repeatable) {
                    continue;
                }
                throw last;
            } catch (IOException | UnresolvedAddressException e) {
                sent = true;
                last = new VncException(VncException.NO_ANSWER, request, "connection failed: " + describe(e), true, e);
                if (repeatable) {
                    continue;
                }
                throw last;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VncException(VncException.NO_ANSWER, request, "interrupted", sent, null);
            }
            int status = response.statusCode();
            log.debug("event=tf-api-call method={} path={} status={} millis={} attempt={}", method, path, status,
                    (System.nanoTime() - started) / 1_000_000, attempt);
            if (status >= 200 && status < 300) {
                return parse(response.body(), request);
            }
            // 502: the API server died after taking the request (TF's own client retries it too).
            sent |= status == 502;
            last = new VncException(status, request, shorten(response.body()), sent, null);
            if (status == 401 && token.isPresent() && !renewed && tokens.renew(token.get())) {
                renewed = true;
                attempt--; // a fresh token is not a retry of a failure
                continue;
            }
            if (status != 502 && status != 503) {
                throw last;
            }
        }
        throw last;
    }

    private HttpRequest build(URI uri, String method, String text, Optional<Secret> token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
        token.ifPresent(t -> b.header("X-Auth-Token", t.reveal()));
        if (text == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(text));
        }
        return b.build();
    }

    private JsonNode parse(String body, String request) throws VncException {
        if (body == null || body.isBlank()) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            throw new VncException(200, request, "answer is not JSON: " + shorten(body));
        }
    }

    private void backoff(int attempt, String request, VncException last) throws VncException {
        long millis = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << (attempt - 1));
        log.warn("event=tf-api-retry request=\"{}\" attempt={} of={} wait_ms={} reason=\"{}\"", request, attempt, retries,
                millis, last == null ? "" : last.detail());
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VncException(VncException.NO_ANSWER, request, "interrupted while waiting to retry");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** An I/O failure in a few words: the first message in its causes, else what its type means. */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }

    /** TF's message on one line, bounded, for exception messages and logs. */
    static String shorten(String body) {
        if (body == null || body.isBlank()) {
            return "(empty answer)";
        }
        String oneLine = body.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 500 ? oneLine : oneLine.substring(0, 500) + "...";
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "VncClient[" + base + "]";
    }
}
