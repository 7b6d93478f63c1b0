package io.ensm.openstack.keystone;

import io.ensm.core.spi.BackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One Keystone token for every request and thread of the endpoints that share credentials.
 * <ul>
 * <li>The token is renewed before it expires: {@code renewBefore} ahead, but never more than a
 * quarter of its lifetime ahead, so short-lived tokens are not renewed on every call.</li>
 * <li>One caller renews while the others wait for its result (no burst of logins).</li>
 * <li>A renewal that fails while the old token is still valid keeps the old one.</li>
 * <li>After a failed login (refused password, Keystone down) callers fail fast with the same error
 * for {@code retryAfter}: a wrong password or a dead Keystone does not cause a login per request.</li>
 * <li>A token Neutron refuses (revoked, or expired early) is dropped with {@link #reject}.</li>
 * </ul>
 */
public final class TokenKeeper {
    private static final Logger log = LoggerFactory.getLogger(TokenKeeper.class);

    private final KeystoneLogin login;
    private final String who;
    private final Clock clock;
    private final Duration renewBefore;
    private final Duration retryAfter;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong logins = new AtomicLong();
    private volatile IssuedToken current;
    private BackendException lastFailure;
    private Instant quietUntil = Instant.MIN;

    /** @param who what the credentials are, for log lines (never the password) */
    public TokenKeeper(KeystoneLogin login, String who, Clock clock, Duration renewBefore, Duration retryAfter) {
        this.login = login;
        this.who = who;
        this.clock = clock;
        this.renewBefore = renewBefore;
        this.retryAfter = retryAfter;
    }

    /** A token valid for a while yet; logs in when there is none or it is due for renewal. */
    public IssuedToken token() throws BackendException {
        IssuedToken t = current;
        if (t != null && fresh(t)) {
            return t;
        }
        lock.lock();
        try {
            t = current;
            if (t != null && fresh(t)) {
                return t;
            }
            Instant now = clock.instant();
            if (now.isBefore(quietUntil)) {
                if (t != null && now.isBefore(t.expires())) {
                    return t;
                }
                throw new BackendException(lastFailure.kind(), lastFailure.getMessage()
                        + " (not retried until " + quietUntil + ")", lastFailure);
            }
            try {
                logins.incrementAndGet();
                IssuedToken issued = login.login();
                current = issued;
                lastFailure = null;
                quietUntil = Instant.MIN;
                log.info("event=keystone-token-issued {} expires={}", who, issued.expires());
                return issued;
            } catch (BackendException e) {
                lastFailure = e;
                quietUntil = now.plus(retryAfter);
                if (t != null && now.isBefore(t.expires())) {
                    log.warn("event=keystone-renewal-failed {} kind={} keeping_token_until={} reason=\"{}\"",
                            who, e.kind(), t.expires(), e.getMessage());
                    return t;
                }
                current = null;
                log.warn("event=keystone-login-failed {} kind={} retry_after={} reason=\"{}\"", who, e.kind(), retryAfter, e.getMessage());
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drops a token that a service refused, so that the next {@link #token()} logs in again. */
    public void reject(IssuedToken refused) {
        lock.lock();
        try {
            if (current == refused) {
                current = null;
                log.info("event=keystone-token-refused {} expires={} action=login-again", who, refused.expires());
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many logins were attempted, successful or not. */
    public long logins() {
        return logins.get();
    }

    private boolean fresh(IssuedToken t) {
        Duration lifetime = Duration.between(t.issued(), t.expires());
        Duration margin = renewBefore.compareTo(lifetime.dividedBy(4)) < 0 ? renewBefore : lifetime.dividedBy(4);
        return clock.instant().isBefore(t.expires().minus(margin));
    }
}
