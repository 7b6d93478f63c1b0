package io.ensm.core.store;

import io.ensm.api.connection.Connection;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.Attachment;

import java.time.Instant;
import java.util.List;

/** Deterministic rows that vary every field, so a row can be rebuilt from its number alone. */
final class SampleConnections {
    private SampleConnections() {}

    static final List<Attachment> ATTACHMENTS = List.of(
            new Attachment.Vlan("eth1", 100),
            new Attachment.Untagged("ens5f0"),
            new Attachment.Namespace("box-7", "veth;a=b,c%d"),
            new Attachment.DeviceVxlan("192.0.2.10", 16777215),
            new Attachment.FabricVlan(4094));

    static String id(int n) {
        return String.format("conn-%06d", n);
    }

    /** A last reply as the store keeps it: a serialized connection.Connection, here with {@code text} as its service. */
    static byte[] reply(String text) {
        return Connection.newBuilder().setNetworkService(text).build().toByteArray();
    }

    static StoredConnection sample(int n) {
        Attachment attachment = n % 6 == 5 ? null : ATTACHMENTS.get(n % 6);
        VxlanPeer peer = n % 3 == 0 ? null : new VxlanPeer("10.20.0." + (n % 250), 4789 + n % 7);
        Allocation allocation = n % 4 == 3 ? Allocation.NONE
                : new Allocation(List.of("172.16." + (n % 256) + ".1/32", "fd00::" + Integer.toHexString(n) + ":1/128"),
                        List.of("172.16." + (n % 256) + ".2/32", "fd00::" + Integer.toHexString(n) + ":2/128"),
                        "uplink-" + (n % 2), 100 + n % 3000, 1 + n);
        byte[] reply = reply(("reply-" + n + "-").repeat(1 + n % 40));
        return new StoredConnection(id(n), "endpoint-" + (n % 5), "service-" + (n % 3),
                Phase.values()[n % Phase.values().length], PlanKind.values()[n % PlanKind.values().length],
                allocation, peer, 1400 + n % 100, attachment, Instant.ofEpochMilli(1_800_000_000_000L + n * 1000L), reply);
    }
}
