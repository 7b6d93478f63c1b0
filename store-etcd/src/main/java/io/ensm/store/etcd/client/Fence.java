package io.ensm.store.etcd.client;

/**
 * A fencing token: the create revision of an owner key. A write guarded by it applies only while
 * that key still exists with that create revision, so an owner whose key has expired and been
 * created again by someone else cannot write any more.
 */
public record Fence(String key, long createRevision) {
    public Fence {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a fence needs the owner key");
        }
        if (createRevision <= 0) {
            throw new IllegalArgumentException("fence " + key + ": create revision must be positive, not " + createRevision);
        }
    }
}
