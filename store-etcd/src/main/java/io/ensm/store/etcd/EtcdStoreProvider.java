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

/**
 * {@code ensm.store.type: etcd}: connections, endpoint ownership and allocation claims of every
 * replica of one cluster in one etcd cluster, under {@code <prefix>/<cluster>/}.
 *
 * <p>Settings ({@code ensm.store.settings.*}): {@code endpoints} (required: comma-separated client
 * URLs), {@code prefix} (default {@code /ensm}), {@code lease-ttl} (default 5s: a replica that dies
 * leaves its endpoints unserved for about this long), {@code call-timeout} (default 5s); for
 * {@code https://} endpoints {@code ca-file}, {@code cert-file} and {@code key-file}; for etcd's
 * auth {@code username} with {@code password-file} or {@code password-env} (see {@link EtcdStoreSettings}).
 */
public final class EtcdStoreProvider implements StoreProvider {
    public static final String TYPE = "etcd";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Persistence open(StoreContext context) {
        EtcdStoreSettings settings = EtcdStoreSettings.parse(context.settings(), System::getenv);
        EtcdSettings clientSettings = settings.client();
        String endpoints = String.join(",", clientSettings.endpoints().stream().map(Object::toString).toList());
        EtcdClient client = EtcdClient.connect(clientSettings);
        try {
            String prefix = settings.prefix();
            String base = prefix.replaceAll("/+$", "") + "/" + context.cluster() + "/";
            EtcdOwnership ownership = new EtcdOwnership(client, base, context.self(), settings.leaseTtl());
            EtcdConnectionStore store = new EtcdConnectionStore(client, prefix, context.cluster(), true, context.clock(), ownership::fence);
            return new Persistence(store, ownership, new EtcdClaims(client, store.base()));
        } catch (EtcdException e) {
            client.close();
            throw new StoreException("cannot reach etcd at " + endpoints + (clientSettings.auth() == null ? ""
                    : " as user '" + clientSettings.auth().user() + "'") + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }
}
