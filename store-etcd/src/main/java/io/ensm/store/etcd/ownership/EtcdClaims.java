package io.ensm.store.etcd.ownership;

import io.ensm.core.alloc.Claims;
import io.ensm.core.store.StoreException;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdException;
import io.ensm.store.etcd.client.TxnOutcome;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Claims as etcd keys, {@code <base>claims/<pool>/<value>}, holding the id of the connection that
 * has the value. A key is created only where absent, so of two replicas claiming one value exactly
 * one gets it. Claims are bound to no lease: a connection outlives the replica that made it.
 */
public final class EtcdClaims implements Claims {
    private final EtcdClient client;
    private final String prefix;

    /** @param base the cluster's key prefix, ending with {@code /} */
    public EtcdClaims(EtcdClient client, String base) {
        this.client = client;
        this.prefix = base + "claims/";
    }

    /**
     * One key after another; a value held by another connection gives back the keys this call
     * created, so the result is all or none as {@link Claims} asks.
     */
    @Override
    public Set<Claim> claim(String connectionId, List<Claim> claims) {
        byte[] id = connectionId.getBytes(StandardCharsets.UTF_8);
        List<Claim> created = new ArrayList<>();
        Set<Claim> refused = new LinkedHashSet<>();
        try {
            for (Claim c : claims) {
                switch (client.createIfAbsent(key(c), id, 0)) {
                    case TxnOutcome.Done done -> created.add(c);
                    case TxnOutcome.Exists exists -> {
                        if (!exists.current().sameValue(id)) {
                            refused.add(c);
                        }
                    }
                    default -> throw new IllegalStateException("claim " + key(c) + ": unexpected outcome");
                }
                if (!refused.isEmpty()) {
                    break;
                }
            }
        } catch (EtcdException e) {
            release(connectionId, created);
            throw new StoreException("cannot claim " + claims + " in etcd: " + e.getMessage(), e);
        }
        if (!refused.isEmpty()) {
            release(connectionId, created);
        }
        return refused;
    }

    /** Deletes each key only while it still names the connection. */
    @Override
    public void release(String connectionId, List<Claim> claims) {
        byte[] id = connectionId.getBytes(StandardCharsets.UTF_8);
        for (Claim c : claims) {
            try {
                client.get(key(c)).filter(e -> e.sameValue(id)).ifPresent(e -> client.ifModRevision(key(c), e.modRevision(),
                        List.of(new io.ensm.store.etcd.client.Write.Delete(key(c)))));
            } catch (EtcdException e) {
                // Left for the store's sweep of claims no connection explains.
                org.slf4j.LoggerFactory.getLogger(EtcdClaims.class).warn("event=claim-release-failed claim={} connection={} reason=\"{}\"",
                        key(c), connectionId, e.getMessage());
            }
        }
    }

    String key(Claim c) {
        return prefix + c.pool() + "/" + c.value();
    }
}
