package io.ensm.openstack.keystone;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.openstack4j.openstack.identity.v3.domain.KeystoneToken;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The keeper's timing rules, with a scripted login: the real Keystone cannot be made to fail a
 * renewal on cue or to hand out tokens at a chosen time (KeystoneFaultTest covers the real one).
 */
class TokenKeeperTest {
    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    final Deque<Object> script = new ArrayDeque<>();
    final AtomicInteger calls = new AtomicInteger();

    IssuedToken token(String id, Duration lifetime) {
        KeystoneToken raw = new KeystoneToken();
        raw.setId(id);
        return new IssuedToken(raw, clock.instant(), clock.instant().plus(lifetime));
    }

    TokenKeeper keeper(Duration renewBefore, Duration retryAfter) {
        return new TokenKeeper(() -> {
            calls.incrementAndGet();
            Object next = script.pop();
            if (next instanceof BackendException e) {
                throw e;
            }
            return (IssuedToken) next;
        }, "user test", clock, renewBefore, retryAfter);
    }

    @Test
    void reusesTheTokenUntilItIsDueForRenewal() throws Exception {
        TokenKeeper k = keeper(Duration.ofMinutes(5), Duration.ofSeconds(15));
        script.add(token("t1", Duration.ofHours(1)));
        script.add(token("t2", Duration.ofHours(1)));

        assertThat(k.token().id()).isEqualTo("t1");
        clock.advance(Duration.ofMinutes(54));
        assertThat(k.token().id()).isEqualTo("t1");
        clock.advance(Duration.ofMinutes(2));
        assertThat(k.token().id()).isEqualTo("t2");
        assertThat(calls).hasValue(2);
    }

    @Test
    void aShortLivedTokenIsRenewedAtThreeQuartersOfItsLifeNotOnEveryCall() throws Exception {
        TokenKeeper k = keeper(Duration.ofMinutes(5), Duration.ofSeconds(15));
        script.add(token("short", Duration.ofMinutes(4)));

        k.token();
        clock.advance(Duration.ofMinutes(2));
        assertThat(k.token().id()).isEqualTo("short");
        assertThat(calls).hasValue(1);
    }

    @Test
    void aFailedRenewalKeepsTheOldTokenWhileItIsValid() throws Exception {
        TokenKeeper k = keeper(Duration.ofMinutes(5), Duration.ofSeconds(30));
        script.add(token("t1", Duration.ofHours(1)));
        script.add(new BackendException(Kind.UNREACHABLE, "Keystone down"));
        script.add(token("t2", Duration.ofHours(1)));
        k.token();

        clock.advance(Duration.ofMinutes(57));
        assertThat(k.token().id()).isEqualTo("t1");
        assertThat(k.token().id()).as("no second try within retryAfter").isEqualTo("t1");
        assertThat(calls).hasValue(2);
        clock.advance(Duration.ofSeconds(31));
        assertThat(k.token().id()).isEqualTo("t2");
    }

    @Test
    void afterAFailedLoginCallersFailFastUntilRetryAfter() throws Exception {
        TokenKeeper k = keeper(Duration.ofMinutes(5), Duration.ofSeconds(15));
        script.add(new BackendException(Kind.DENIED, "refused"));
        script.add(token("t1", Duration.ofHours(1)));

        assertThatThrownBy(k::token).hasMessage("refused");
        assertThatThrownBy(k::token).isInstanceOfSatisfying(BackendException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.DENIED);
            assertThat(e.getMessage()).startsWith("refused (not retried until 2030-01-01T00:00:15Z)");
        });
        clock.advance(Duration.ofSeconds(16));
        assertThat(k.token().id()).isEqualTo("t1");
        assertThat(calls).hasValue(2);
    }

    @Test
    void aRefusedTokenIsDroppedOnlyIfItIsStillTheCurrentOne() throws Exception {
        TokenKeeper k = keeper(Duration.ofMinutes(5), Duration.ofSeconds(15));
        script.add(token("t1", Duration.ofHours(1)));
        script.add(token("t2", Duration.ofHours(1)));
        IssuedToken t1 = k.token();

        k.reject(t1);
        IssuedToken t2 = k.token();
        k.reject(t1);

        assertThat(t2.id()).isEqualTo("t2");
        assertThat(k.token()).isSameAs(t2);
        assertThat(calls).hasValue(2);
    }

    @Test
    void concurrentCallersShareOneLogin() throws Exception {
        CountDownLatch inLogin = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TokenKeeper k = new TokenKeeper(() -> {
            calls.incrementAndGet();
            inLogin.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return token("shared", Duration.ofHours(1));
        }, "user test", clock, Duration.ofMinutes(5), Duration.ofSeconds(15));
        List<Future<IssuedToken>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                results.add(threads.submit(k::token));
            }
            inLogin.await();
            release.countDown();
        }
        for (Future<IssuedToken> f : results) {
            assertThat(f.get().id()).isEqualTo("shared");
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void theTokenNeverShowsInToString() throws Exception {
        TokenKeeper k = keeper(Duration.ofMinutes(5), Duration.ofSeconds(15));
        script.add(token("gAAAAABsecret-token-id", Duration.ofHours(1)));

        assertThat(k.token().toString()).doesNotContain("gAAAAABsecret-token-id").contains("expires=");
    }
}
