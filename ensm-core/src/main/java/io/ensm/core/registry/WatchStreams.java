package io.ensm.core.registry;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/** Serves a registry Find: one snapshot, or a snapshot followed by changes until the client cancels. */
final class WatchStreams {
    private WatchStreams() {}

    /**
     * {@code filter} selects what the query asks for; {@code live} additionally hides entries that are due
     * for removal from snapshots. Changes are filtered by {@code filter} alone, since a removal announces an
     * entry that is, by then, no longer live.
     */
    static <T, R> void serveFind(
            RegistryTable<T> table, Predicate<T> filter, Predicate<T> live, boolean watch,
            BiFunction<T, Boolean, R> toResponse, StreamObserver<R> observer) {
        if (!watch) {
            table.find(filter.and(live)).forEach(v -> observer.onNext(toResponse.apply(v, false)));
            observer.onCompleted();
            return;
        }
        // the cancel handler is installed before the watch exists, so a cancel can never miss it
        AtomicReference<Runnable> unwatch = new AtomicReference<>(() -> {});
        var serverObserver = (ServerCallStreamObserver<R>) observer;
        serverObserver.setOnCancelHandler(() -> unwatch.getAndSet(() -> {}).run());
        Runnable handle = table.watch(filter, live, (v, deleted) -> {
            if (serverObserver.isCancelled()) {
                throw new IllegalStateException("watch cancelled");
            }
            observer.onNext(toResponse.apply(v, deleted));
        });
        unwatch.set(handle);
        if (serverObserver.isCancelled()) {
            unwatch.getAndSet(() -> {}).run();
        }
    }
}
