package io.ensm.store.etcd.client;

import java.util.List;

/** Every key under a prefix as of one revision; a watch from {@code revision + 1} sees every later change. */
public record Snapshot(List<Entry> entries, long revision) {
    public Snapshot {
        entries = List.copyOf(entries);
    }
}
