package io.ensm.store.etcd.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * How to reach an etcd cluster and how long to wait for it.
 *
 * @param endpoints      client URLs of the members, all {@code http://host:port} or all
 *                       {@code https://host:port}; tried in this order
 * @param callTimeout    the default deadline of one call, over every endpoint it tries
 * @param attemptTimeout the most one attempt on one endpoint may take before a read moves on to the
 *                       next (a hung member holds its connection open and answers nothing)
 * @param watchProbe     how often a watch asks its member for progress; a watch that hears nothing
 *                       for twice this long moves to another member
 * @param tls            for {@code https://} endpoints (null there: {@link EtcdTls#DEFAULT}); must be
 *                       null for {@code http://}
 * @param auth           the etcd user to authenticate as, or null when etcd's auth is off
 */
public record EtcdSettings(List<URI> endpoints, Duration callTimeout, Duration attemptTimeout, Duration watchProbe, EtcdTls tls,
                           EtcdAuth auth) {
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_WATCH_PROBE = Duration.ofSeconds(2);

    public EtcdSettings {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("etcd endpoints: none given (expected e.g. http://127.0.0.1:2379)");
        }
        String scheme = endpoints.getFirst().getScheme();
        for (URI u : endpoints) {
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null || u.getPort() < 1) {
                throw new IllegalArgumentException("etcd endpoint '" + u + "': expected http://host:port or https://host:port");
            }
            if (!u.getScheme().equals(scheme)) {
                throw new IllegalArgumentException("etcd endpoints mix http:// and https:// (" + endpoints.getFirst() + ", " + u
                        + "): use TLS to every member or to none");
            }
        }
        if ("https".equals(scheme) && tls == null) {
            tls = EtcdTls.DEFAULT;
        }
        if ("http".equals(scheme) && tls != null) {
            throw new IllegalArgumentException("etcd TLS files are given but the endpoints use http:// (" + endpoints.getFirst() + ")");
        }
        requirePositive("call timeout", callTimeout);
        requirePositive("attempt timeout", attemptTimeout);
        requirePositive("watch probe", watchProbe);
    }

    /** Defaults for everything but the endpoints. */
    public static EtcdSettings of(List<URI> endpoints) {
        return new EtcdSettings(endpoints, DEFAULT_CALL_TIMEOUT, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_WATCH_PROBE, null, null);
    }

    /** From a comma-separated list of client URLs, as the test bed prints them. */
    public static EtcdSettings parse(String endpoints) {
        List<URI> uris = java.util.Arrays.stream(endpoints.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> {
                    try {
                        return URI.create(s);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("etcd endpoint '" + s + "': expected http://host:port or https://host:port (" + e.getMessage() + ")", e);
                    }
                }).toList();
        return of(uris);
    }

    public EtcdSettings withCallTimeout(Duration d) {
        return new EtcdSettings(endpoints, d, attemptTimeout, watchProbe, tls, auth);
    }

    public EtcdSettings withAttemptTimeout(Duration d) {
        return new EtcdSettings(endpoints, callTimeout, d, watchProbe, tls, auth);
    }

    public EtcdSettings withWatchProbe(Duration d) {
        return new EtcdSettings(endpoints, callTimeout, attemptTimeout, d, tls, auth);
    }

    /** With TLS: trust, and a client certificate (see {@link EtcdTls}). */
    public EtcdSettings withTls(EtcdTls t) {
        return new EtcdSettings(endpoints, callTimeout, attemptTimeout, watchProbe, t, auth);
    }

    /** Authenticating as this user (null: no auth). */
    public EtcdSettings withAuth(EtcdAuth a) {
        return new EtcdSettings(endpoints, callTimeout, attemptTimeout, watchProbe, tls, a);
    }

    /** Whether calls go over TLS. */
    public boolean secure() {
        return tls != null;
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("etcd " + what + " must be positive, not " + d);
        }
    }
}
