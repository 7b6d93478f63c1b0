package io.ensm.store.etcd.client;

/**
 * One change seen by a watch. For a DELETE the entry carries the key and the revision of the
 * deletion ({@link Entry#modRevision}), with an empty value.
 */
public record WatchEvent(Type type, Entry entry) {
    public enum Type { PUT, DELETE }

    public long revision() {
        return entry.modRevision();
    }
}
