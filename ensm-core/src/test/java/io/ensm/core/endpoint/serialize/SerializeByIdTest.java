package io.ensm.core.endpoint.serialize;

import io.ensm.api.connection.Connection;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.testing.RecordingTail;
import io.ensm.core.testing.Requests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static io.grpc.Status.Code.ABORTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SerializeByIdTest {
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static Connection connection(String id) {
        return Requests.request().id(id).connection();
    }

    @Test
    void sameIdNeverInterleaves() throws Exception {
        SerializeById serialize = new SerializeById(Duration.ofSeconds(10));
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        RecordingTail tail = new RecordingTail().onCall(c -> {
            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            firstInside.countDown();
            try {
                releaseFirst.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inside.decrementAndGet();
        });
        Endpoint endpoint = new Endpoint(List.of(serialize, tail));

        Future<?> request = pool.submit(() -> endpoint.request(Requests.request().id("a").build(), CallContext.client()));
        assertThat(firstInside.await(10, TimeUnit.SECONDS)).isTrue();
        Future<?> close = pool.submit(() -> endpoint.close(connection("a"), CallContext.client()));
        Thread.sleep(100);
        assertThat(tail.closes()).as("the close waits for the request").isEmpty();

        releaseFirst.countDown();
        request.get(10, TimeUnit.SECONDS);
        close.get(10, TimeUnit.SECONDS);
        assertThat(tail.closes()).hasSize(1);
        assertThat(maxInside.get()).isEqualTo(1);
        assertThat(serialize.activeIds()).isZero();
    }

    @Test
    void differentIdsRunConcurrently() throws Exception {
        SerializeById serialize = new SerializeById(Duration.ofSeconds(10));
        CountDownLatch bothInside = new CountDownLatch(2);
        RecordingTail tail = new RecordingTail().onCall(c -> {
            bothInside.countDown();
            try {
                // Only returns when the other id is inside too: fails by timeout if serialized.
                bothInside.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Endpoint endpoint = new Endpoint(List.of(serialize, tail));

        Future<?> a = pool.submit(() -> endpoint.request(Requests.request().id("a").build(), CallContext.client()));
        Future<?> b = pool.submit(() -> endpoint.request(Requests.request().id("b").build(), CallContext.client()));
        a.get(15, TimeUnit.SECONDS);
        b.get(15, TimeUnit.SECONDS);
        assertThat(bothInside.getCount()).isZero();
        assertThat(serialize.activeIds()).isZero();
    }

    @Test
    void waitingPastTheBoundIsAborted() throws Exception {
        SerializeById serialize = new SerializeById(Duration.ofMillis(100));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingTail tail = new RecordingTail().onCall(c -> {
            inside.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Endpoint endpoint = new Endpoint(List.of(serialize, tail));
        Future<?> holder = pool.submit(() -> endpoint.request(Requests.request().id("a").build(), CallContext.client()));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

        assertStatus(() -> endpoint.close(connection("a"), CallContext.client()), ABORTED, "connection a", "still running");
        assertThat(serialize.activeIds()).isEqualTo(1);

        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        assertThat(serialize.activeIds()).isZero();
    }

    @Test
    void noSlotLeaksAfterCallsAndExceptions() {
        SerializeById serialize = new SerializeById(Duration.ofSeconds(1));
        RecordingTail tail = new RecordingTail();
        Endpoint endpoint = new Endpoint(List.of(serialize, tail));
        for (int i = 0; i < 5; i++) {
            endpoint.request(Requests.request().id("id-" + i).build(), CallContext.client());
            endpoint.close(connection("id-" + i), CallContext.client());
        }
        assertThat(serialize.activeIds()).isZero();

        tail.failing(new IllegalStateException("backend exploded"));
        assertThatThrownBy(() -> endpoint.request(Requests.request().id("x").build(), CallContext.client()))
                .hasMessage("backend exploded");
        assertThatThrownBy(() -> endpoint.close(connection("x"), CallContext.client())).hasMessage("backend exploded");
        assertThat(serialize.activeIds()).isZero();

        // The id is usable again after the failures.
        tail.succeeding();
        endpoint.request(Requests.request().id("x").build(), CallContext.client());
        assertThat(serialize.activeIds()).isZero();
    }

    @Test
    void backgroundWorkGivesUpAfterItsOwnShorterWaitAndLeavesNoSlot() throws Exception {
        SerializeById serialize = new SerializeById(Duration.ofSeconds(30));
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Future<?> holder = pool.submit(() -> serialize.exclusive("a", () -> {
            held.countDown();
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        assertStatus(() -> serialize.exclusive("a", Duration.ofMillis(100), () -> {}), ABORTED, "connection a", "100 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        AtomicInteger ran = new AtomicInteger();
        serialize.exclusive("b", Duration.ofMillis(100), ran::incrementAndGet);
        assertThat(ran).as("another id does not wait").hasValue(1);
        done.countDown();
        holder.get(10, TimeUnit.SECONDS);
        assertThat(serialize.activeIds()).isZero();
    }
}
