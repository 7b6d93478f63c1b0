package io.ensm.core.registry;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Collects a watch stream's messages so a test can take them one by one, and cancels it on close. */
public final class Watcher<Q, R> implements ClientResponseObserver<Q, R>, AutoCloseable {
    private final BlockingQueue<R> messages = new LinkedBlockingQueue<>();
    private volatile ClientCallStreamObserver<Q> call;
    volatile Throwable error;

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
        call = requestStream;
    }

    @Override
    public void onNext(R value) {
        messages.add(value);
    }

    @Override
    public void onError(Throwable t) {
        error = t;
    }

    @Override
    public void onCompleted() {}

    public R next() throws InterruptedException {
        R r = messages.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no watch message within 10 s" + (error == null ? "" : "; stream error " + error));
        }
        return r;
    }

    public boolean isEmpty() {
        return messages.isEmpty();
    }

    @Override
    public void close() {
        call.cancel("test done", null);
    }
}
