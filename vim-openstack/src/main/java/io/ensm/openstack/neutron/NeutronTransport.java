package io.ensm.openstack.neutron;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.openstack.keystone.Causes;
import io.ensm.openstack.keystone.IssuedToken;
import io.ensm.openstack.keystone.TokenKeeper;
import org.openstack4j.api.OSClient;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.api.exceptions.RegionEndpointNotFoundException;
import org.openstack4j.api.types.Facing;
import org.openstack4j.core.transport.ClientConstants;
import org.openstack4j.core.transport.Config;
import org.openstack4j.core.transport.HttpMethod;
import org.openstack4j.core.transport.HttpResponse;
import org.openstack4j.model.common.ActionResponse;
import org.openstack4j.openstack.OSFactory;
import org.openstack4j.openstack.networking.internal.BaseNetworkingServices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * Sends Neutron requests through openstack4j's request layer: its client, catalog lookup (region
 * and interface) and HTTP connector, with the shared token. openstack4j keeps its client in the
 * calling thread, so every call first binds a client made from the shared token to the current
 * thread; nothing is kept per thread between calls.
 *
 * <p>Requests go out marked as authentication commands, which turns off openstack4j's own
 * re-login on 401 (it would log in per thread, behind the token keeper's back). A 401 here drops
 * the token and the call is sent once more with a new one; nothing else is retried.
 */
public final class NeutronTransport extends BaseNetworkingServices {
    private static final Logger log = LoggerFactory.getLogger(NeutronTransport.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TokenKeeper tokens;
    private final Facing facing;
    private final String region;
    private final Config config;
    private final CallCounter counter;

    public NeutronTransport(TokenKeeper tokens, Facing facing, String region, Config config, CallCounter counter) {
        this.tokens = tokens;
        this.facing = facing;
        this.region = region;
        this.config = config;
        this.counter = counter;
    }

    /** One request; the parsed JSON reply (an empty object for 204), or a {@link BackendException}. */
    public JsonNode send(HttpMethod method, String path, Map<String, List<String>> query, JsonNode body) throws BackendException {
        IssuedToken token = tokens.token();
        Reply reply = once(token, method, path, query, body);
        if (reply.status() == 401) {
            tokens.reject(token);
            reply = once(tokens.token(), method, path, query, body);
        }
        if (reply.status() >= 200 && reply.status() < 300) {
            return reply.body();
        }
        throw failure(method, path, reply);
    }

    private record Reply(int status, JsonNode body) {}

    private Reply once(IssuedToken token, HttpMethod method, String path, Map<String, List<String>> query, JsonNode body)
            throws BackendException {
        String operation = method + " " + operationPath(path);
        counter.count(operation);
        long started = System.nanoTime();
        bind(token);
        Invocation<ActionResponse> call = request(method, ActionResponse.class, path)
                .header(ClientConstants.HEADER_OS4J_AUTH, "ensm");
        query.forEach((k, values) -> values.forEach(v -> call.param(k, v)));
        if (body != null) {
            call.json(body.toString());
        }
        try (HttpResponse response = call.executeWithResponse()) {
            int status = response.getStatus();
            JsonNode parsed = parse(response);
            log.debug("event=neutron-call op=\"{}\" status={} ms={}", operation, status, (System.nanoTime() - started) / 1_000_000);
            return new Reply(status, parsed);
        } catch (RegionEndpointNotFoundException e) {
            throw new BackendException(Kind.NOT_FOUND, "no network endpoint in the Keystone catalog"
                    + (region == null ? "" : " for region " + region) + ": " + e.getMessage(), e);
        } catch (ConnectionException e) {
            throw new BackendException(Kind.UNREACHABLE, "Neutron is unreachable (" + operation + "): " + Causes.describe(e), e);
        } catch (IOException | RuntimeException e) {
            throw new BackendException(Kind.UNREACHABLE, "Neutron call failed (" + operation + "): " + Causes.describe(e), e);
        }
    }

    /** openstack4j reads its client from the current thread: make one from the shared token. */
    private void bind(IssuedToken token) {
        OSClient.OSClientV3 client = OSFactory.clientFromToken(token.raw(), facing, config);
        if (region != null) {
            client.useRegion(region);
        }
    }

    private static JsonNode parse(HttpResponse response) throws IOException {
        try (InputStream in = response.getInputStream()) {
            if (in == null) {
                return JSON.createObjectNode();
            }
            byte[] bytes = in.readAllBytes();
            if (bytes.length == 0) {
                return JSON.createObjectNode();
            }
            try {
                return JSON.readTree(bytes);
            } catch (IOException e) {
                // not JSON (a proxy's or a web server's error page): keep a short text for the message
                return JSON.createObjectNode().put("text", new String(bytes, 0, Math.min(bytes.length, 200),
                        java.nio.charset.StandardCharsets.UTF_8).strip());
            }
        }
    }

    private static NeutronFailure failure(HttpMethod method, String path, Reply reply) {
        JsonNode error = reply.body().path("NeutronError");
        String type = error.path("type").asText("");
        String message = error.path("message").asText("");
        if (message.isEmpty()) {
            message = reply.body().path("text").asText(reply.body().path("message").asText(""));
        }
        String text = "Neutron refused " + method + " " + operationPath(path) + " (HTTP " + reply.status()
                + (type.isEmpty() ? "" : " " + type) + ")" + (message.isEmpty() ? "" : ": " + message);
        return new NeutronFailure(NeutronFailure.kindOf(reply.status(), type), reply.status(), type, text);
    }

    /** "/ports/8f3e.../tags" becomes "/ports/{id}/tags": ids do not make operations different. */
    static String operationPath(String path) {
        return path.replaceAll("/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "/{id}");
    }
}
