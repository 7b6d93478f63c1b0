package io.ensm.store.etcd.client;

import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The members of the cluster as the client sees them: one gRPC channel each, and the member calls
 * go to now. Every call is sent to the current member until it fails there; the first caller to
 * see that failure moves everyone on to the next member, round the list.
 */
final class Members implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Members.class);

    /**
     * etcd's "require leader" header: a member without a leader refuses the call ("no leader")
     * instead of serving it, and ends watch and keep-alive streams once it has lost its leader,
     * so a member cut off from the others is left rather than trusted.
     */
    private static final Metadata REQUIRE_LEADER = requireLeader();

    /** {@code lastFailure}: how the last attempt on it failed, for messages while it stays unreachable. */
    record Member(int index, URI uri, ManagedChannel managed, Channel channel, AtomicReference<String> lastFailure) {
        String name() {
            return uri.getHost() + ":" + uri.getPort();
        }

        /** "unreachable", with how the last attempt failed where one did. */
        String unreachableText() {
            String last = lastFailure.get();
            return last == null ? "unreachable" : "unreachable (last failure: " + last + ")";
        }

        /** Whether the member's connection is known to be failing (it will be retried after a backoff). */
        boolean unreachable() {
            return managed.getState(true) == ConnectivityState.TRANSIENT_FAILURE;
        }
    }

    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final List<Member> members;
    private final AtomicInteger current = new AtomicInteger();
    // While no member has a leader, every call moves on: one log line a second says so.
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final AtomicInteger unlogged = new AtomicInteger();

    private final Tokens tokens;

    /** Channels to every member: over TLS for https:// endpoints, with the token on every call when there is a user. */
    Members(EtcdSettings settings) {
        ChannelCredentials credentials = settings.tls() == null ? InsecureChannelCredentials.create() : settings.tls().credentials();
        this.tokens = settings.auth() == null ? null : new Tokens(settings.auth(), settings.attemptTimeout());
        List<Member> list = new ArrayList<>();
        for (URI u : settings.endpoints()) {
            ManagedChannel managed = Grpc.newChannelBuilderForAddress(u.getHost(), u.getPort(), credentials)
                    // pings only while calls are open: etcd refuses pings more often than every 5 s, and
                    // idle pings altogether; a hung member is found by the calls' own deadlines
                    .keepAliveTime(10, TimeUnit.SECONDS)
                    .keepAliveTimeout(3, TimeUnit.SECONDS)
                    .maxInboundMessageSize(64 * 1024 * 1024)
                    .build();
            Channel channel = ClientInterceptors.intercept(managed, MetadataUtils.newAttachHeadersInterceptor(REQUIRE_LEADER));
            if (tokens != null) {
                channel = ClientInterceptors.intercept(channel, tokens.interceptor(u.getHost() + ":" + u.getPort(), channel));
            }
            list.add(new Member(list.size(), u, managed, channel, new AtomicReference<>()));
        }
        this.members = List.copyOf(list);
    }

    /** The client's token, or null when it has no user. */
    Tokens tokens() {
        return tokens;
    }

    int size() {
        return members.size();
    }

    Member current() {
        return members.get(current.get());
    }

    Member get(int index) {
        return members.get(index);
    }

    List<Member> all() {
        return members;
    }

    /**
     * The call on {@code failed} did not succeed: later calls go to the next member, unless another
     * caller has moved on already. Returns the member to try next.
     */
    Member failed(Member failed, String why) {
        int next = (failed.index() + 1) % members.size();
        if (current.compareAndSet(failed.index(), next)) {
            Member to = members.get(next);
            // Its connection may be in a long reconnect backoff from an earlier failure.
            to.managed().resetConnectBackoff();
            long now = System.nanoTime();
            long last = lastLog.get();
            if (members.size() > 1 && now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
                log.info("event=etcd-member-switch from={} to={} reason=\"{}\" earlier_switches_not_logged={}", failed.name(), to.name(),
                        why, unlogged.getAndSet(0));
            } else {
                unlogged.incrementAndGet();
            }
        }
        return members.get(current.get());
    }

    @Override
    public void close() {
        for (Member m : members) {
            m.managed().shutdownNow();
        }
        for (Member m : members) {
            try {
                m.managed().awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Metadata requireLeader() {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER), "true");
        return md;
    }
}
