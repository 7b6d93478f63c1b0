package io.ensm.store.etcd.client;

import io.ensm.store.etcd.wire.KeyValue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One key as etcd holds it.
 *
 * @param createRevision the revision that created the key (its fencing token when it is an owner key)
 * @param modRevision    the revision of its last change
 * @param version        how many times it changed since it was created
 * @param lease          the lease it is bound to, or 0
 */
public record Entry(String key, byte[] value, long createRevision, long modRevision, long version, long lease) {

    public Entry {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public String valueUtf8() {
        return new String(value, StandardCharsets.UTF_8);
    }

    public boolean sameValue(byte[] other) {
        return Arrays.equals(value, other);
    }

    static Entry of(KeyValue kv) {
        return new Entry(kv.getKey().toStringUtf8(), kv.getValue().toByteArray(), kv.getCreateRevision(), kv.getModRevision(),
                kv.getVersion(), kv.getLease());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && key.equals(e.key) && Arrays.equals(value, e.value) && createRevision == e.createRevision
                && modRevision == e.modRevision && version == e.version && lease == e.lease;
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + Long.hashCode(modRevision);
    }

    @Override
    public String toString() {
        return "Entry[" + key + " create=" + createRevision + " mod=" + modRevision + " version=" + version + " lease=" + lease
                + " bytes=" + value.length + "]";
    }
}
