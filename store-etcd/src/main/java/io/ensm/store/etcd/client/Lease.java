package io.ensm.store.etcd.client;

import java.time.Duration;

/** A lease granted by etcd: keys bound to it vanish when it expires or is revoked. */
public record Lease(long id, Duration ttl) {}
