package io.ensm.core.registry;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Named entries plus the watchers that follow them. Changes and watcher notifications happen under one
 * lock so a watcher sees the initial snapshot and every later change exactly once and in order. gRPC
 * {@code onNext} only buffers, so notifying under the lock does not block on slow clients.
 */
final class RegistryTable<T> {

    /** Receives an entry that changed; {@code deleted} is true for removals. */
    interface Listener<T> {
        void onChange(T value, boolean deleted);
    }

    private record Watch<T>(Predicate<T> filter, Listener<T> listener) {}

    private final Map<String, T> entries = new LinkedHashMap<>();
    private final List<Watch<T>> watches = new CopyOnWriteArrayList<>();

    synchronized Optional<T> get(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** Stores what {@code update} makes of the previous entry (null if none) and announces it. */
    synchronized T upsert(String name, UnaryOperator<T> update) {
        T value = update.apply(entries.get(name));
        entries.put(name, value);
        notifyWatches(value, false);
        return value;
    }

    synchronized Optional<T> remove(String name) {
        T removed = entries.remove(name);
        if (removed != null) {
            notifyWatches(removed, true);
        }
        return Optional.ofNullable(removed);
    }

    synchronized List<T> removeIf(Predicate<T> condition) {
        List<T> removed = new ArrayList<>();
        for (Iterator<T> it = entries.values().iterator(); it.hasNext(); ) {
            T value = it.next();
            if (condition.test(value)) {
                it.remove();
                removed.add(value);
            }
        }
        removed.forEach(v -> notifyWatches(v, true));
        return removed;
    }

    synchronized List<T> find(Predicate<T> filter) {
        return entries.values().stream().filter(filter).toList();
    }

    /**
     * Sends the current matches (those also passing {@code initially}), then follows changes until the returned handle runs. The caller must run
     * the handle when its client goes away, or the watch stays here forever.
     */
    synchronized Runnable watch(Predicate<T> filter, Predicate<T> initially, Listener<T> listener) {
        Watch<T> watch = new Watch<>(filter, listener);
        for (T value : entries.values()) {
            if (filter.test(value) && initially.test(value)) {
                listener.onChange(value, false);
            }
        }
        watches.add(watch);
        return () -> watches.remove(watch);
    }

    int watchCount() {
        return watches.size();
    }

    synchronized int size() {
        return entries.size();
    }

    private void notifyWatches(T value, boolean deleted) {
        for (Watch<T> w : watches) {
            if (!w.filter().test(value)) {
                continue;
            }
            try {
                w.listener().onChange(value, deleted);
            } catch (RuntimeException e) {
                // a stream that already failed cannot take more messages; drop it rather than fail the change
                watches.remove(w);
            }
        }
    }
}
