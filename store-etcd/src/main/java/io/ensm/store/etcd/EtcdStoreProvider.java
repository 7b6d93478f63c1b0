package io.ensm.store.etcd;

import io.ensm.core.spi.SettingsReader;
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

/**
 * {@code ensm.store.type: etcd}: connections, endpoint ownership and allocation claims of every
 * replica of one cluster in one etcd cluster, under {@code <prefix>/<cluster>/}.
 *
 * <p>Settings ({@code ensm.store.settings.*}): {@code endpoints} (required: comma-separated client
 * URLs), {@code prefix} (default {@code /ensm}), {@code lease-ttl} (default 5s: a replica that dies
 * leaves its endpoints unserved for about this long), {@code call-timeout} (default 5s).
 */
public final class EtcdStoreProvider implements StoreProvider {
    public static final String TYPE = "etcd";
    static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(5);

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Persistence open(StoreContext context) {
        SettingsReader s = context.settings();
        String endpoints = s.required("endpoints", "the client URLs of the etcd members, e.g. http://10.0.0.1:2379,http://10.0.0.2:2379");
        String prefix = s.string("prefix", "/ensm");
        if (!prefix.startsWith("/")) {
            throw s.invalid("prefix", "must start with '/', got '" + prefix + "'");
        }
        Duration ttl = s.duration("lease-ttl", DEFAULT_LEASE_TTL, Duration.ofSeconds(2), Duration.ofMinutes(1));
        Duration callTimeout = s.duration("call-timeout", EtcdSettings.DEFAULT_CALL_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(1));
        s.done();
        EtcdSettings settings;
        try {
            settings = EtcdSettings.parse(endpoints).withCallTimeout(callTimeout);
        } catch (IllegalArgumentException e) {
            throw s.invalid("endpoints", e.getMessage(), e);
        }
        EtcdClient client = EtcdClient.connect(settings);
        try {
            String base = prefix.replaceAll("/+$", "") + "/" + context.cluster() + "/";
            EtcdOwnership ownership = new EtcdOwnership(client, base, context.self(), ttl);
            EtcdConnectionStore store = new EtcdConnectionStore(client, prefix, context.cluster(), true, context.clock(), ownership::fence);
            return new Persistence(store, ownership, new EtcdClaims(client, store.base()));
        } catch (EtcdException e) {
            client.close();
            throw new StoreException("cannot reach etcd at " + endpoints + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }
}
