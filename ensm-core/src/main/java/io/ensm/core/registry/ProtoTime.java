package io.ensm.core.registry;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Converts between protobuf Timestamps and Instants; a zero Timestamp means "not set" on the NSM wire. */
public final class ProtoTime {
    private ProtoTime() {}

    public static Timestamp toTimestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    public static Instant toInstant(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }

    /** proto3 cannot tell an absent message from a default one after a round trip, so zero counts as unset. */
    public static boolean isUnset(Timestamp ts) {
        return ts == null || (ts.getSeconds() == 0 && ts.getNanos() == 0);
    }
}
