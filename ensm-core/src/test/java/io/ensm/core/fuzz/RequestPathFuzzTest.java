package io.ensm.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.spi.BackendException;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.RecordingForwarder;

import static io.ensm.core.fuzz.PathOracle.check;

/**
 * Fuzzes ensm's request path end to end (NSM API, status mapping, the whole chain, pools, store,
 * backends, forwarder) with the oracles of {@link PathOracle}. Without {@code JAZZER_FUZZ} each
 * target runs its seeds under {@code src/test/resources/io/ensm/core/fuzz/RequestPathFuzzTestInputs};
 * with it, Jazzer mutates them (see docs/reliability.md, "Fuzzing", and scripts/fuzz).
 */
class RequestPathFuzzTest {
    /** Recorders keep every call; a fresh world now and then keeps memory flat over long runs. */
    private static final int RUNS_PER_WORLD = 2_000;
    private static FuzzWorld world;
    private static int runs;
    private static boolean clean;

    /** The shared world, or a fresh one after a failed run (its state is unknown) or every few thousand runs. */
    private static FuzzWorld world() {
        if (world == null || !clean || ++runs > RUNS_PER_WORLD) {
            if (world != null) {
                world.close();
            }
            world = new FuzzWorld();
            runs = 0;
        }
        world.clock.set(MutableClock.START);
        check(world.state().holdsNothing(), "a run started with resources held: " + world.state(), null);
        clean = false;
        return world;
    }

    /**
     * Runs one input on the shared world; afterwards everything left is closed and nothing may be
     * held. After a failure the world is dropped, not cleaned, so the first finding is the one reported.
     */
    private static void run(java.util.function.Consumer<PathOracle> body) {
        PathOracle oracle = new PathOracle(world());
        body.accept(oracle);
        oracle.releaseEverything();
        clean = true;
    }

    /** (a) Arbitrary bytes as a NetworkServiceRequest; an accepted one is refreshed, then closed. */
    @FuzzTest(maxDuration = "30s")
    void requestBytes(byte[] data) {
        NetworkServiceRequest request;
        try {
            request = NetworkServiceRequest.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            return; // refused by protobuf before ensm sees it
        }
        run(oracle -> {
            Connection reply = oracle.request(request, false);
            if (reply != null) {
                oracle.closeAll(oracle.refresh(request, reply));
            }
        });
    }

    /** (a) Arbitrary bytes as the Connection of a Close, next to a live connection ("nsc-a" / "own-a"). */
    @FuzzTest(maxDuration = "30s")
    void closeBytes(byte[] data) {
        Connection connection;
        try {
            connection = Connection.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            return;
        }
        run(oracle -> {
            Connection live = oracle.request(SeedCorpus.liveRequest("nsc-a", "own-a"), false);
            check(live != null, "the live connection of the close target was refused", null);
            WorldState before = oracle.world().state();
            if (oracle.close(connection) == null) {
                WorldState after = oracle.world().state();
                check(after.holdsSameAs(before) || after.holdsNothing(),
                        "an accepted Close left part of a connection:\nbefore " + before + "\nafter  " + after, connection);
            }
        });
    }

    /**
     * (b) Field values from the fuzzer: a first request (sometimes with a backend, forwarder or
     * store fault), then one follow-up an NSC or ensm itself may send: a refresh, a changed
     * refresh, a Close of the reply or of a changed connection, or expiry.
     */
    @FuzzTest(maxDuration = "30s")
    void requestFields(FuzzedDataProvider data) {
        run(oracle -> {
            NetworkServiceRequest request = FuzzedRequests.request(data);
            boolean faulted = injectFault(oracle.world(), data);
            Connection reply = oracle.request(request, faulted);
            if (reply == null) {
                return;
            }
            switch (data.consumeInt(0, 4)) {
                case 0 -> oracle.closeAll(oracle.refresh(request, reply));
                case 1 -> {
                    Connection changed = oracle.request(FuzzedRequests.changed(data, request, reply), false);
                    oracle.closeAll(changed != null ? changed : reply);
                }
                case 2 -> oracle.close(FuzzedRequests.connection(data));
                case 3 -> oracle.expireAll();
                default -> oracle.closeAll(reply);
            }
        });
    }

    private static boolean injectFault(FuzzWorld w, FuzzedDataProvider data) {
        BackendException.Kind kind = data.pickValue(BackendException.Kind.values());
        switch (data.consumeInt(0, 7)) {
            case 0 -> w.backends.values().forEach(b -> b.failNext(RecordingBackend.Op.PROVISION, kind, "box said no"));
            case 1 -> w.forwarder.failNext(RecordingForwarder.Op.CONNECT, kind, "link add failed");
            case 2 -> w.store.failNextWrites(1, "disk full");
            case 3 -> w.backends.values().forEach(b -> b.duringProvision(i -> w.store.failNextWrites(1, "disk full")));
            default -> {
                return false;
            }
        }
        return true;
    }

}
