package io.ensm.store.etcd;

import io.ensm.core.store.Persistence;
import io.ensm.core.store.StoreContext;
import io.ensm.core.store.StoreException;
import io.ensm.core.store.StoreProvider;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdException;
import io.ensm.store.etcd.client.EtcdSettings;
import io.ensm.store.etcd.ownership.EtcdClaims;
import io.ensm.store.etcd.ownership.EtcdOwnership;
import java.time.Duration;
import io.ensm.core.spi.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ensm.store.type: etcd}: connections, endpoint ownership and allocation claims of every
 * replica of one cluster in one etcd cluster, under {@code <prefix>/<cluster>/}.
 *
 * <p>Settings ({@code ensm.store.settings.*}): {@code endpoints} (required: comma-separated client
 * URLs), {@code prefix} (default {@code /ensm}), {@code lease-ttl} (default 5s: a replica that dies
 * leaves its endpoints unserved for about this long), {@code call-timeout} (default 5s),
 * {@code open-timeout} (default 2m: how long a starting replica retries an etcd that does not
 * answer; a refusal, such as bad credentials, fails at once); for
 * {@code https://} endpoints {@code ca-file}, {@code cert-file} and {@code key-file}; for etcd's
 * auth {@code username} with {@code password-file} or {@code password-env} (see {@link EtcdStoreSettings}).
 */
public final class EtcdStoreProvider implements StoreProvider {
    public static final String TYPE = "etcd";
    private static final Logger log = LoggerFactory.getLogger(EtcdStoreProvider.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY = Duration.ofSeconds(5);

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Persistence open(StoreContext context) {
        EtcdStoreSettings settings = EtcdStoreSettings.parse(context.settings(), System::getenv);
        EtcdSettings clientSettings = settings.client();
        String endpoints = String.join(",", clientSettings.endpoints().stream().map(Object::toString).toList());
        long deadline = System.nanoTime() + settings.openTimeout().toNanos();
        Duration backoff = FIRST_RETRY;
        for (int attempt = 1; ; attempt++) {
            try {
                return openOnce(settings, context);
            } catch (EtcdException | StoreException failure) {
                EtcdException e = etcdCause(failure);
                if (e == null) {
                    throw failure;
                }
                boolean unanswered = e.kind() == EtcdException.Kind.UNAVAILABLE || e.kind() == EtcdException.Kind.OUTCOME_UNKNOWN;
                long left = deadline - System.nanoTime();
                if (!unanswered || left <= 0) {
                    // a refusal (bad credentials, a bad request) fails at once: waiting would not change it
                    throw new StoreException("cannot reach etcd at " + endpoints + (clientSettings.auth() == null ? ""
                            : " as user '" + clientSettings.auth().user() + "'")
                            + (unanswered && attempt > 1 ? " within " + Durations.format(settings.openTimeout()) + " (" + attempt + " attempts)" : "")
                            + ": " + e.getMessage(), e);
                }
                Duration wait = Duration.ofNanos(Math.min(backoff.toNanos(), left));
                log.warn("event=store-open-retry store=etcd endpoints={} attempt={} retry_in_ms={} reason=\"{}\"", endpoints, attempt,
                        wait.toMillis(), e.getMessage());
                sleep(wait);
                backoff = backoff.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : backoff.multipliedBy(2);
            }
        }
    }

    private static Persistence openOnce(EtcdStoreSettings settings, StoreContext context) {
        EtcdClient client = EtcdClient.connect(settings.client());
        try {
            String prefix = settings.prefix();
            String base = prefix.replaceAll("/+$", "") + "/" + context.cluster() + "/";
            EtcdOwnership ownership = new EtcdOwnership(client, base, context.self(), settings.leaseTtl());
            // A new connection's claims ride on its first record: one commit for both.
            WaitingClaims waiting = new WaitingClaims();
            EtcdConnectionStore store = new EtcdConnectionStore(client, prefix, context.cluster(), true, context.clock(), ownership::fence,
                    waiting);
            return new Persistence(store, ownership, new EtcdClaims(client, store.base(), waiting));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private static EtcdException etcdCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EtcdException e) {
                return e;
            }
        }
        return null;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for etcd", e);
        }
    }
}
