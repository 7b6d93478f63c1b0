package io.ensm.store.etcd;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.Attachment;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.store.etcd.record.ConnectionRecord;

import java.time.Instant;

/** A {@link StoredConnection} as the bytes of a {@link ConnectionRecord}, and back. */
final class ConnectionRecords {
    static final int FORMAT = 1;

    private ConnectionRecords() {}

    /** @throws IllegalArgumentException naming the field when a required one is missing */
    static byte[] encode(StoredConnection c) {
        ConnectionRecord.Builder b = ConnectionRecord.newBuilder().setFormat(FORMAT)
                .setId(required(c.id(), "id"))
                .setEndpoint(required(c.endpoint(), "endpoint"))
                .setService(required(c.service(), "service"))
                .setPhase(required(c.phase(), "phase").name())
                .setMtu(c.mtu());
        if (c.plan() != null) {
            b.setPlan(c.plan().name());
        }
        Allocation a = c.allocation() == null ? Allocation.NONE : c.allocation();
        b.addAllEndpointAddrs(a.endpointAddrs()).addAllClientAddrs(a.clientAddrs())
                .setVlanPool(required(a.vlanPool(), "vlan pool")).setVlanId(a.vlanId()).setVni(a.vni());
        if (c.peer() != null) {
            b.setPeerIp(required(c.peer().ip(), "peer ip")).setPeerPort(c.peer().port());
        }
        if (c.attachment() != null) {
            b.setAttachmentKind(c.attachment().kind()).putAllAttachmentParams(c.attachment().parameters());
        }
        if (c.expires() != null) {
            b.setExpiresMs(c.expires().toEpochMilli());
        }
        if (c.connection() != null) {
            b.setConnection(ByteString.copyFrom(c.connection()));
        }
        return b.build().toByteArray();
    }

    /**
     * @throws IllegalArgumentException saying what is wrong with the bytes
     * @throws NewerFormatException     for a record written in a newer layout
     */
    static StoredConnection decode(byte[] bytes) {
        ConnectionRecord r;
        try {
            r = ConnectionRecord.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a connection record: " + e.getMessage(), e);
        }
        if (r.getFormat() > FORMAT) {
            throw new NewerFormatException(r.getFormat());
        }
        if (r.getFormat() < 1 || r.getId().isEmpty() || r.getEndpoint().isEmpty()) {
            throw new IllegalArgumentException("not a connection record (format " + r.getFormat() + ", id '" + r.getId() + "')");
        }
        Allocation allocation = new Allocation(r.getEndpointAddrsList(), r.getClientAddrsList(), r.getVlanPool(), r.getVlanId(), r.getVni());
        VxlanPeer peer = r.hasPeerIp() ? new VxlanPeer(r.getPeerIp(), r.getPeerPort()) : null;
        Attachment attachment = r.hasAttachmentKind() ? Attachment.of(r.getAttachmentKind(), r.getAttachmentParamsMap()) : null;
        byte[] reply = r.hasConnection() ? r.getConnection().toByteArray() : null;
        if (reply != null) {
            try {
                io.ensm.api.connection.Connection.parseFrom(reply);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("the last reply is not a connection.Connection: " + e.getMessage(), e);
            }
        }
        return new StoredConnection(r.getId(), r.getEndpoint(), r.getService(), Phase.valueOf(r.getPhase()),
                r.hasPlan() ? PlanKind.valueOf(r.getPlan()) : null, allocation, peer, r.getMtu(), attachment,
                r.hasExpiresMs() ? Instant.ofEpochMilli(r.getExpiresMs()) : null, reply);
    }

    private static <T> T required(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " is missing");
        }
        return value;
    }

    /** A record of a newer release: not damaged, not for this release to read. */
    static final class NewerFormatException extends RuntimeException {
        NewerFormatException(int format) {
            super("record format " + format + " is newer than the supported " + FORMAT + " (written by a newer release?)");
        }
    }
}
