package io.ensm.tf.vnc;

import io.ensm.core.spi.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Project-scoped tokens from Keystone v3 ({@code POST /v3/auth/tokens} with the password method;
 * the token comes back in the {@code X-Subject-Token} header). A token is kept until shortly before
 * its {@code expires_at}, or until the VNC API refuses it.
 */
public final class KeystoneTokens implements TokenSource {
    private static final Logger log = LoggerFactory.getLogger(KeystoneTokens.class);
    /** Renew this long before Keystone's expiry, so no call races the deadline. */
    private static final Duration MARGIN = Duration.ofMinutes(1);

    private final URI tokensUri;
    private final Credentials credentials;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private Secret token;
    private Instant renewAt = Instant.MIN;

    /**
     * @param authUrl Keystone's identity URL, with or without the trailing {@code /v3}
     */
    public record Credentials(URI authUrl, String username, Secret password, String userDomain, String project,
                              String projectDomain) {
        @Override
        public String toString() {
            return "Credentials[authUrl=" + authUrl + ", username=" + username + ", project=" + project + "]";
        }
    }

    public KeystoneTokens(Credentials credentials, Duration timeout, Clock clock) {
        this.credentials = credentials;
        String base = credentials.authUrl().toString().replaceAll("/+$", "");
        this.tokensUri = URI.create((base.endsWith("/v3") ? base : base + "/v3") + "/auth/tokens");
        this.timeout = timeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    @Override
    public synchronized Optional<Secret> current() throws VncException {
        if (token == null || !clock.instant().isBefore(renewAt)) {
            issue();
        }
        return Optional.of(token);
    }

    @Override
    public synchronized boolean renew(Secret refused) {
        if (refused.equals(token)) {
            token = null;
        }
        return true;
    }

    private void issue() throws VncException {
        String request = "POST " + tokensUri;
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(tokensUri).timeout(timeout)
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body()))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new VncException(VncException.NO_ANSWER, request, "cannot reach Keystone: " + VncClient.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VncException(VncException.NO_ANSWER, request, "interrupted");
        }
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw new VncException(response.statusCode(), request, "Keystone refused a token for user '" + credentials.username()
                    + "' in project '" + credentials.project() + "': " + VncClient.shorten(response.body()));
        }
        String issued = response.headers().firstValue("X-Subject-Token").orElse("");
        if (issued.isBlank()) {
            throw new VncException(response.statusCode(), request, "Keystone's answer has no X-Subject-Token header");
        }
        token = Secret.of(issued);
        renewAt = expiry(response.body()).minus(MARGIN);
        log.info("event=keystone-token-issued user={} project={} renew_at={}", credentials.username(), credentials.project(), renewAt);
    }

    private ObjectNode body() {
        ObjectNode root = json.createObjectNode();
        ObjectNode auth = root.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode user = identity.putObject("password").putObject("user");
        user.put("name", credentials.username());
        user.putObject("domain").put("name", credentials.userDomain());
        user.put("password", credentials.password().reveal());
        ObjectNode project = auth.putObject("scope").putObject("project");
        project.put("name", credentials.project());
        project.putObject("domain").put("name", credentials.projectDomain());
        return root;
    }

    /** {@code token.expires_at}; a token without a readable expiry is renewed after an hour. */
    private Instant expiry(String body) {
        try {
            JsonNode at = json.readTree(body).path("token").path("expires_at");
            if (at.isString()) {
                return Instant.parse(at.asString());
            }
        } catch (JacksonException | DateTimeParseException e) {
            log.warn("event=keystone-expiry-unreadable reason=\"{}\"", e.getMessage());
        }
        return clock.instant().plus(Duration.ofHours(1));
    }

    @Override
    public String toString() {
        return "KeystoneTokens[" + credentials + "]";
    }
}
