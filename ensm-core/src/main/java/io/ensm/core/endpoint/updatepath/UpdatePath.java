package io.ensm.core.endpoint.updatepath;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;
import io.ensm.core.chain.Failures;

import java.util.UUID;

/**
 * Finds or adds ensm's own path segment, as NSM's updatepath does, and trims anything after it
 * (an endpoint is the last hop). Below this element the connection id is ensm's own segment id;
 * on the way back the reply carries the caller's id and index again, plus ensm's segment.
 */
public final class UpdatePath implements Element {
    /** The path index of the caller's segment; absent when ensm's own segment was addressed directly. */
    public static final CallContext.Key<Integer> CALLER_INDEX = CallContext.Key.of("caller-index", Integer.class);

    private final String name;

    public UpdatePath(String name) {
        this.name = name;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        Placed placed = place(request.getConnection());
        chain.context().put(CALLER_INDEX, placed.callerIndex);
        Connection reply = chain.proceed(request.toBuilder().setConnection(placed.connection).build());
        return restore(reply, placed.callerIndex);
    }

    @Override
    public void close(Connection connection, Chain chain) {
        if (!connection.hasPath() || connection.getPath().getPathSegmentsCount() == 0) {
            // An operator tool may close by ensm's own id alone.
            chain.proceedClose(connection);
            return;
        }
        Path path = connection.getPath();
        int index = checkIndex(connection);
        if (path.getPathSegments(index).getName().equals(name)) {
            chain.proceedClose(connection);
        } else if (index + 1 < path.getPathSegmentsCount() && path.getPathSegments(index + 1).getName().equals(name)) {
            chain.proceedClose(connection.toBuilder()
                    .setId(path.getPathSegments(index + 1).getId())
                    .setPath(path.toBuilder().setIndex(index + 1))
                    .build());
        }
        // Otherwise the path never reached ensm: nothing of ours to close.
    }

    private Placed place(Connection connection) {
        if (!connection.hasPath() || connection.getPath().getPathSegmentsCount() == 0) {
            String id = UUID.randomUUID().toString();
            Path path = Path.newBuilder().setIndex(0)
                    .addPathSegments(PathSegment.newBuilder().setName(name).setId(id)).build();
            return new Placed(connection.toBuilder().setId(id).setPath(path).build(), 0);
        }
        Path path = connection.getPath();
        int index = checkIndex(connection);
        if (path.getPathSegments(index).getName().equals(name)) {
            requireOwnId(path, index);
            return new Placed(trimmed(connection, index), index);
        }
        Path.Builder updated = path.toBuilder();
        if (index + 1 < path.getPathSegmentsCount() && path.getPathSegments(index + 1).getName().equals(name)) {
            requireOwnId(path, index + 1);
            updated.setIndex(index + 1);
        } else {
            while (updated.getPathSegmentsCount() > index + 1) {
                updated.removePathSegments(updated.getPathSegmentsCount() - 1);
            }
            updated.addPathSegments(PathSegment.newBuilder().setName(name).setId(UUID.randomUUID().toString()));
            updated.setIndex(index + 1);
        }
        Connection moved = connection.toBuilder()
                .setId(updated.getPathSegments(index + 1).getId())
                .setPath(updated)
                .build();
        return new Placed(trimmed(moved, index + 1), index);
    }

    /** ensm's id is the connection's key in the store: an empty one could never be closed by id. */
    private void requireOwnId(Path path, int own) {
        if (path.getPathSegments(own).getId().isEmpty()) {
            throw Failures.invalid("path segment " + own + " is this ensm's ('" + name + "') but has an empty id");
        }
    }

    private static int checkIndex(Connection connection) {
        Path path = connection.getPath();
        int index = path.getIndex();
        if (index < 0 || index >= path.getPathSegmentsCount()) {
            throw Failures.invalid("path index " + Integer.toUnsignedString(path.getIndex())
                    + " is out of range: the path has " + path.getPathSegmentsCount() + " segments");
        }
        String segmentId = path.getPathSegments(index).getId();
        if (!segmentId.equals(connection.getId())) {
            throw Failures.invalid("connection id '" + connection.getId() + "' does not match the id '" + segmentId
                    + "' of path segment " + index);
        }
        return index;
    }

    /** An endpoint is the end of the path: drop any segment after its own. */
    private static Connection trimmed(Connection connection, int ownIndex) {
        Path path = connection.getPath();
        if (path.getPathSegmentsCount() <= ownIndex + 1) {
            return connection;
        }
        Path.Builder b = path.toBuilder();
        while (b.getPathSegmentsCount() > ownIndex + 1) {
            b.removePathSegments(b.getPathSegmentsCount() - 1);
        }
        return connection.toBuilder().setPath(b).build();
    }

    private static Connection restore(Connection reply, int callerIndex) {
        Path path = reply.getPath();
        return reply.toBuilder()
                .setId(path.getPathSegments(callerIndex).getId())
                .setPath(path.toBuilder().setIndex(callerIndex))
                .build();
    }

    private record Placed(Connection connection, int callerIndex) {}
}
