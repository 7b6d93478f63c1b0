package io.ensm.core.fuzz;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connection.State;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.model.PlanKind;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Sends calls through the world's NSM API and checks what every call must satisfy: only a gRPC
 * status escapes, never INTERNAL or UNKNOWN, always with a message on one bounded printable line
 * (it is logged and echoes caller input); a refused call holds exactly
 * what was held before and, unless a fault was injected, touched no device and wrote nothing; an
 * accepted one is stored APPLIED with its device objects, and a Close or expiry gives everything
 * back. A broken rule is an {@link AssertionError}, which the fuzzer reports as a finding.
 */
final class PathOracle {
    /** What bad input may be answered with; the service's own faults add UNAVAILABLE and ABORTED. */
    private static final Set<Status.Code> REFUSALS = EnumSet.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
            Status.Code.FAILED_PRECONDITION, Status.Code.RESOURCE_EXHAUSTED);
    private static final Set<Status.Code> FAULTS = EnumSet.of(Status.Code.UNAVAILABLE, Status.Code.ABORTED);

    /** Longest refusal message: the service cuts at 1024 characters; an escape at the edge may add a few. */
    private static final int MAX_MESSAGE = 1030;

    private final FuzzWorld world;

    PathOracle(FuzzWorld world) {
        this.world = world;
    }

    FuzzWorld world() {
        return world;
    }

    /** The reply, or null when the request was refused as it must be. */
    Connection request(NetworkServiceRequest request, boolean faulted) {
        WorldState before = world.state();
        Connection reply;
        try {
            reply = world.client.request(request);
        } catch (StatusRuntimeException e) {
            world.heal();
            refused("request", e, before, faulted);
            return null;
        }
        world.heal();
        accepted(reply);
        return reply;
    }

    /** A refresh as an NSC sends it after {@code reply}: accepted, same allocations, no device I/O. */
    Connection refresh(NetworkServiceRequest original, Connection reply) {
        WorldState before = world.state();
        Connection again = request(original.toBuilder().setConnection(reply).build(), false);
        check(again != null, "the refresh of an accepted connection was refused", reply);
        WorldState after = world.state();
        check(after.backendCalls().equals(before.backendCalls()) && after.forwarderCalls() == before.forwarderCalls(),
                "a refresh without changes did device I/O", reply);
        check(after.provisioned().equals(before.provisioned()) && after.crossConnects().equals(before.crossConnects()),
                "a refresh without changes changed device state", reply);
        check(again.getContext().getIpContext().equals(reply.getContext().getIpContext())
                && again.getMechanism().getParametersMap().equals(reply.getMechanism().getParametersMap()),
                "a refresh changed addresses or mechanism parameters", again);
        return again;
    }

    /** A Close of anything: refused as it must be (the status is returned), or accepted (null). */
    Status close(Connection connection) {
        WorldState before = world.state();
        try {
            world.client.close(connection);
        } catch (StatusRuntimeException e) {
            refused("close", e, before, false);
            return e.getStatus();
        }
        return null;
    }

    /** The Close an NSC sends for its reply: everything the connection held is given back. */
    void closeAll(Connection reply) {
        Status refusal = close(reply);
        check(refusal == null, "the Close of an accepted connection was refused: " + refusal, reply);
        String own = ownId(reply);
        check(world.table.get(own).isEmpty(), "connection " + own + " is still stored after its Close", reply);
    }

    /** Runs the expiry of every stored connection as the runtime does when its timer fires. */
    void expireAll() {
        world.clock.advance(FuzzWorld.MAX_LIFETIME.plus(Duration.ofMinutes(1)));
        try {
            for (StoredConnection c : List.copyOf(world.table.all())) {
                world.endpoint.close(parse(c.connection()), CallContext.internal(CallContext.Cause.EXPIRY));
            }
        } finally {
            world.clock.set(io.ensm.core.testing.MutableClock.START);
        }
    }

    /** Operator-style Close of every stored connection by ensm's own id; afterwards nothing may be held. */
    void releaseEverything() {
        for (StoredConnection c : List.copyOf(world.table.all())) {
            Status refusal = close(Connection.newBuilder().setId(c.id()).build());
            check(refusal == null, "the Close of stored connection '" + c.id() + "' by its id was refused: " + refusal, null);
        }
        WorldState end = world.state();
        check(end.holdsNothing(), "resources are still held after every connection was closed: " + end, null);
    }

    private void refused(String call, StatusRuntimeException e, WorldState before, boolean faulted) {
        Status s = e.getStatus();
        boolean allowed = REFUSALS.contains(s.getCode()) || (faulted && FAULTS.contains(s.getCode()));
        check(allowed, call + " answered " + s.getCode() + ": " + s.getDescription(), null);
        String message = s.getDescription();
        check(message != null && !message.isBlank(), call + " refused without a message: " + s, null);
        check(message.length() <= MAX_MESSAGE && message.chars().noneMatch(PathOracle::breaksLine),
                call + " refused with a message that is not one bounded printable line: " + message, null);
        WorldState after = world.state();
        check(after.holdsSameAs(before), call + " refused with " + s.getCode() + " (" + s.getDescription()
                + ") but changed what is held:\nbefore " + before + "\nafter  " + after, null);
        check(after.monitorEvents() == before.monitorEvents(), call + " refused but published a monitor event", null);
        if (!faulted) {
            check(after.backendCalls().equals(before.backendCalls()) && after.forwarderCalls() == before.forwarderCalls()
                    && after.storeWrites() == before.storeWrites(),
                    call + " refused with " + s.getCode() + " (" + s.getDescription() + ") after device I/O or a store write", null);
        }
    }

    private void accepted(Connection reply) {
        check(reply.getState() == State.UP, "reply state is " + reply.getState(), reply);
        int index = reply.getPath().getIndex();
        check(index >= 0 && index < reply.getPath().getPathSegmentsCount(), "reply path index out of range", reply);
        check(reply.getId().equals(reply.getPath().getPathSegments(index).getId()),
                "reply id is not the caller's segment id", reply);
        String own = ownId(reply);
        StoredConnection stored = world.table.get(own).orElse(null);
        check(stored != null && stored.phase() == Phase.APPLIED, "accepted connection " + own + " is not stored APPLIED", reply);
        check(world.store.get(own).isPresent(), "accepted connection " + own + " is in memory but not in the store", reply);
        check(world.backends.get(stored.endpoint()).intentOf(own).isPresent(), "accepted connection has no device objects", reply);
        check(world.forwarder.crossConnectOf(own).isPresent() == (stored.plan() == PlanKind.FORWARDER_VXLAN),
                "cross-connect presence does not match plan " + stored.plan(), reply);
        check(reply.getContext().getIpContext().getDstIpAddrsList().equals(stored.allocation().endpointAddrs()),
                "reply addresses differ from the stored allocation", reply);
    }

    private static boolean breaksLine(int c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** ensm's own segment is the last one of a reply: an endpoint trims everything after it. */
    static String ownId(Connection reply) {
        List<PathSegment> segments = reply.getPath().getPathSegmentsList();
        PathSegment own = segments.getLast();
        check(own.getName().equals(FuzzWorld.NAME), "the reply's last path segment is not ensm's", reply);
        return own.getId();
    }

    static Connection parse(byte[] bytes) {
        try {
            return Connection.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("a stored reply is not a valid Connection", e);
        }
    }

    static void check(boolean condition, String message, Connection context) {
        if (!condition) {
            throw new AssertionError(context == null ? message : message + "\nconnection: " + context);
        }
    }
}
