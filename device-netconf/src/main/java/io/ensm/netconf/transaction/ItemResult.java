package io.ensm.netconf.transaction;

import io.ensm.netconf.client.NetconfException;

import java.util.Optional;

/** What became of one item of a transaction: applied and read back, or failed with the reason. */
public record ItemResult<T>(T item, Optional<NetconfException> failure) {

    public static <T> ItemResult<T> applied(T item) {
        return new ItemResult<>(item, Optional.empty());
    }

    public static <T> ItemResult<T> failed(T item, NetconfException why) {
        return new ItemResult<>(item, Optional.of(why));
    }

    public boolean ok() {
        return failure.isEmpty();
    }
}
