package io.ensm.store.etcd.client;

import io.ensm.store.etcd.client.Members.Member;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.StatusRuntimeException;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs one unary call against the cluster: on the current member, then on the next ones while
 * the call's deadline allows and its {@link Retry} rule permits, each attempt bounded by the
 * attempt timeout so that a hung member costs one attempt, not the whole deadline.
 */
final class Calls {

    /** Which failures a call may be sent again after. */
    enum Retry {
        /** Reads: after any failure but a refusal. */
        READ,
        /**
         * Writes whose repetition is harmless or checked by the caller in the repeated call's
         * result (a lease grant: an extra lease expires by itself; a revoke; a transaction whose
         * compare makes a repeat a no-op): after any failure but a refusal.
         */
        REPEATABLE,
        /** Plain writes: only when the failure proves the write was not applied; otherwise {@link EtcdException.Kind#OUTCOME_UNKNOWN}. */
        ONCE
    }

    /** One attempt: the call on the member's channel with the attempt's deadline. */
    @FunctionalInterface
    interface Attempt<T> {
        T call(Channel channel, Deadline deadline);
    }

    private static final long MAX_BACKOFF_MILLIS = 500;

    private final Members members;
    private final Duration attemptTimeout;
    private volatile boolean closed;

    Calls(Members members, Duration attemptTimeout) {
        this.members = members;
        this.attemptTimeout = attemptTimeout;
    }

    void close() {
        closed = true;
    }

    /**
     * @param operation for messages: "put /ensm/a", "range /ensm/"
     * @param timeout   the call's whole deadline
     */
    <T> T run(String operation, Retry retry, Duration timeout, Attempt<T> attempt) {
        long start = System.nanoTime();
        long end = start + timeout.toNanos();
        // each distinct failure once, in order: a member that stays down would repeat "unreachable" every round
        Set<String> tried = new LinkedHashSet<>();
        boolean maybeApplied = false;
        StatusRuntimeException last = null;
        int failuresInRound = 0;
        int round = 0;
        boolean renewedToken = false;
        Tokens tokens = members.tokens();
        Member member = members.current();
        while (true) {
            if (closed) {
                throw new EtcdException(EtcdException.Kind.CLOSED, "etcd " + operation + ": the client is closed", last);
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw timedOut(operation, timeout, tried, maybeApplied, last);
            }
            if (failuresInRound >= members.size()) {
                // Every member failed once: wait a little before the next round, within the deadline.
                failuresInRound = 0;
                long pause = Math.min(TimeUnit.NANOSECONDS.toMillis(left), Math.min(MAX_BACKOFF_MILLIS, 50L << Math.min(round++, 4)));
                sleep(pause);
                for (Member m : members.all()) {
                    m.managed().resetConnectBackoff();
                }
                continue;
            }
            if (member.unreachable()) {
                tried.add(member.name() + ": " + member.unreachableText());
                failuresInRound++;
                member = members.failed(member, "unreachable");
                continue;
            }
            long attemptNanos = Math.min(left, attemptTimeout.toNanos());
            long tokenGeneration = tokens == null ? 0 : tokens.generation();
            try {
                T result = attempt.call(member.channel(), Deadline.after(attemptNanos, TimeUnit.NANOSECONDS));
                member.lastFailure().set(null);
                return result;
            } catch (StatusRuntimeException e) {
                last = e;
                if (tokens != null && !renewedToken && Tokens.refusesToken(e)) {
                    // etcd checks the token before it applies anything: once more, with a new one.
                    renewedToken = true;
                    tokens.stale(tokenGeneration, member.name(), Failure.describe(e));
                    continue;
                }
                Failure failure = Failure.of(e);
                tried.add(member.name() + ": " + Failure.describe(e));
                member.lastFailure().set(Failure.describe(e));
                switch (failure) {
                    case REFUSED -> throw new EtcdException(EtcdException.Kind.REFUSED,
                            "etcd " + operation + " refused by " + member.name() + ": " + Failure.describe(e), e);
                    case UNKNOWN -> {
                        if (retry == Retry.ONCE) {
                            throw new EtcdException(EtcdException.Kind.OUTCOME_UNKNOWN, "etcd " + operation
                                    + ": outcome unknown, the write may or may not have been applied (" + String.join("; ", tried) + ")", e);
                        }
                        maybeApplied |= retry != Retry.READ;
                    }
                    case NOT_APPLIED -> { }
                }
                failuresInRound++;
                member = members.failed(member, Failure.describe(e));
            }
        }
    }

    private static EtcdException timedOut(String operation, Duration timeout, Set<String> tried, boolean maybeApplied,
                                          StatusRuntimeException last) {
        String detail = tried.isEmpty() ? "no attempt" : String.join("; ", tried);
        if (maybeApplied) {
            return new EtcdException(EtcdException.Kind.OUTCOME_UNKNOWN, "etcd " + operation + ": no member confirmed it within "
                    + timeout.toMillis() + " ms and an attempt may have been applied (" + detail + ")", last);
        }
        return new EtcdException(EtcdException.Kind.UNAVAILABLE, "etcd " + operation + ": no member served it within "
                + timeout.toMillis() + " ms (" + detail + ")", last);
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdException(EtcdException.Kind.UNAVAILABLE, "interrupted while waiting for an etcd member", e);
        }
    }
}
