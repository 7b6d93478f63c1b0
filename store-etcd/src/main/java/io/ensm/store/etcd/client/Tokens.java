package io.ensm.store.etcd.client;

import io.ensm.store.etcd.wire.AuthGrpc;
import io.ensm.store.etcd.wire.AuthenticateRequest;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The auth token of one client, shared by all its calls and streams: obtained from the member a
 * call goes to when there is none, sent as the {@code token} metadata (as etcd's own clients do),
 * and dropped when etcd answers that it is no longer valid (simple tokens expire after etcd's
 * {@code --auth-token-ttl} unused, and all vanish when auth is disabled or a member restarts), so
 * that the next call obtains a fresh one.
 */
final class Tokens {
    private static final Logger log = LoggerFactory.getLogger(Tokens.class);

    static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
    /** How a call that failed because the token could not be obtained is described (see {@link Failure}). */
    static final String FAILED = "etcd authentication";

    private final EtcdAuth auth;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    // null: none yet (or dropped); "": etcd has auth disabled, calls go without a token
    private volatile String token;
    private volatile long generation;
    private volatile long obtained;

    Tokens(EtcdAuth auth, Duration timeout) {
        this.auth = auth;
        this.timeout = timeout;
    }

    String user() {
        return auth.user();
    }

    /** Increases with every token obtained; a failed call passes the value from before it to {@link #stale}. */
    long generation() {
        return generation;
    }

    /** How many tokens were obtained so far. */
    long obtained() {
        return obtained;
    }

    /** etcd refused the token of generation {@code seen}: drop it unless a newer one has come meanwhile. */
    void stale(long seen, String member, String why) {
        lock.lock();
        try {
            if (generation == seen && token != null) {
                token = null;
                log.info("event=etcd-token-stale user={} member={} reason=\"{}\"", auth.user(), member, why);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether etcd refused a call for its token alone: a new token makes the same call pass. */
    static boolean refusesToken(StatusRuntimeException e) {
        return refusesToken(e.getStatus().getDescription());
    }

    /**
     * The same for the reason of a canceled watch, which etcd gives as the text of its gRPC error
     * ("rpc error: code = Unauthenticated desc = etcdserver: invalid auth token").
     */
    static boolean refusesToken(String reason) {
        return reason != null && (reason.contains("etcdserver: invalid auth token")
                || reason.contains("etcdserver: revision of auth store is old")
                || reason.contains("etcdserver: user name is empty"));
    }

    /** The token, obtained over {@code channel} (a member's, without token) when there is none. */
    private String token(String member, Channel channel) {
        String t = token;
        if (t != null) {
            return t;
        }
        lock.lock();
        try {
            if (token == null) {
                token = authenticate(member, channel);
                generation++;
                obtained++;
            }
            return token;
        } finally {
            lock.unlock();
        }
    }

    private String authenticate(String member, Channel channel) {
        AuthenticateRequest request = AuthenticateRequest.newBuilder().setName(auth.user()).setPassword(auth.password().reveal()).build();
        try {
            String t = AuthGrpc.newBlockingStub(channel).withDeadline(Deadline.after(timeout.toMillis(), TimeUnit.MILLISECONDS))
                    .authenticate(request).getToken();
            log.info("event=etcd-authenticated user={} member={}", auth.user(), member);
            return t;
        } catch (StatusRuntimeException e) {
            String d = e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription();
            if (d.startsWith("etcdserver: authentication is not enabled")) {
                log.warn("event=etcd-auth-not-enabled user={} member={} detail=\"calls go without a token\"", auth.user(), member);
                return "";
            }
            // Code kept: a member that cannot answer is left for the next (see Failure), a refusal is final.
            Status.Code code = e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT ? Status.Code.UNAUTHENTICATED : e.getStatus().getCode();
            throw Status.fromCode(code).withDescription(FAILED + " of user '" + auth.user() + "' at " + member + " failed: "
                    + Failure.describe(e)).asRuntimeException();
        }
    }

    /**
     * Puts the token on every call over the member's channel; {@code plain} is that channel
     * without it, for the authentication itself.
     */
    ClientInterceptor interceptor(String member, Channel plain) {
        CallCredentials credentials = new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor appExecutor, MetadataApplier applier) {
                String t = token;
                if (t != null) {
                    applier.apply(headers(t));
                    return;
                }
                // Obtaining one blocks on a call: not on gRPC's threads.
                Thread.ofVirtual().name("etcd-authenticate").start(() -> {
                    try {
                        applier.apply(headers(token(member, plain)));
                    } catch (StatusRuntimeException e) {
                        applier.fail(e.getStatus());
                    } catch (RuntimeException e) {
                        applier.fail(Status.INTERNAL.withDescription(FAILED + " of user '" + auth.user() + "' failed: "
                                + e.getClass().getSimpleName()));
                    }
                });
            }
        };
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return next.newCall(method, options.withCallCredentials(credentials));
            }
        };
    }

    private static Metadata headers(String token) {
        Metadata md = new Metadata();
        if (!token.isEmpty()) {
            md.put(TOKEN, token);
        }
        return md;
    }
}
