package io.ensm.store.etcd.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * How to reach an etcd cluster and how long to wait for it.
 *
 * @param endpoints      client URLs of the members, {@code http://host:port}; tried in this order
 * @param callTimeout    the default deadline of one call, over every endpoint it tries
 * @param attemptTimeout the most one attempt on one endpoint may take before a read moves on to the
 *                       next (a hung member holds its connection open and answers nothing)
 * @param watchProbe     how often a watch asks its member for progress; a watch that hears nothing
 *                       for twice this long moves to another member
 */
public record EtcdSettings(List<URI> endpoints, Duration callTimeout, Duration attemptTimeout, Duration watchProbe) {
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_WATCH_PROBE = Duration.ofSeconds(2);

    public EtcdSettings {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("etcd endpoints: none given (expected e.g. http://127.0.0.1:2379)");
        }
        for (URI u : endpoints) {
            if (!"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 1) {
                throw new IllegalArgumentException("etcd endpoint '" + u + "': expected http://host:port"
                        + ("https".equals(u.getScheme()) ? " (TLS to etcd is not supported yet)" : ""));
            }
        }
        requirePositive("call timeout", callTimeout);
        requirePositive("attempt timeout", attemptTimeout);
        requirePositive("watch probe", watchProbe);
    }

    /** Defaults for everything but the endpoints. */
    public static EtcdSettings of(List<URI> endpoints) {
        return new EtcdSettings(endpoints, DEFAULT_CALL_TIMEOUT, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_WATCH_PROBE);
    }

    /** From a comma-separated list of client URLs, as the test bed prints them. */
    public static EtcdSettings parse(String endpoints) {
        List<URI> uris = java.util.Arrays.stream(endpoints.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> {
                    try {
                        return URI.create(s);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("etcd endpoint '" + s + "': expected http://host:port (" + e.getMessage() + ")", e);
                    }
                }).toList();
        return of(uris);
    }

    public EtcdSettings withCallTimeout(Duration d) {
        return new EtcdSettings(endpoints, d, attemptTimeout, watchProbe);
    }

    public EtcdSettings withAttemptTimeout(Duration d) {
        return new EtcdSettings(endpoints, callTimeout, d, watchProbe);
    }

    public EtcdSettings withWatchProbe(Duration d) {
        return new EtcdSettings(endpoints, callTimeout, attemptTimeout, d);
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("etcd " + what + " must be positive, not " + d);
        }
    }
}
