package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import com.google.protobuf.CodedOutputStream;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A watcher's initial state as INITIAL_STATE_TRANSFER events of at most {@code maxBytes}
 * serialized bytes each, built one at a time as the watcher takes them. A connection larger than
 * the bound on its own goes alone in its event. An empty state is one empty event, so a watcher
 * always hears that the transfer happened.
 */
final class InitialTransfer implements Iterator<ConnectionEvent> {
    /** Tag of {@code ConnectionEvent.connections} (field 2) and of the map entry's key and value. */
    private static final int CONNECTIONS_FIELD = ConnectionEvent.CONNECTIONS_FIELD_NUMBER;

    private final Iterator<Connection> rest;
    private final int maxBytes;
    /** The connection that did not fit in the last event: the first of the next. */
    private Connection carried;
    private boolean sentAny;

    InitialTransfer(List<Connection> connections, int maxBytes) {
        this.rest = connections.iterator();
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean hasNext() {
        return carried != null || rest.hasNext() || !sentAny;
    }

    @Override
    public ConnectionEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        sentAny = true;
        ConnectionEvent.Builder event = ConnectionEvent.newBuilder().setType(ConnectionEventType.INITIAL_STATE_TRANSFER);
        long size = 0;
        while (carried != null || rest.hasNext()) {
            Connection c = carried != null ? carried : rest.next();
            carried = null;
            int entry = entrySize(c);
            if (size > 0 && size + entry > maxBytes) {
                carried = c;
                break;
            }
            event.putConnections(c.getId(), c);
            size += entry;
        }
        return event.build();
    }

    /** Bytes one connection adds to the event: its map entry, framed as a field of the event. */
    static int entrySize(Connection c) {
        int entry = CodedOutputStream.computeStringSize(1, c.getId()) + CodedOutputStream.computeMessageSize(2, c);
        return CodedOutputStream.computeTagSize(CONNECTIONS_FIELD) + CodedOutputStream.computeUInt32SizeNoTag(entry) + entry;
    }
}
