package io.ensm.netconf.transaction;

import java.util.List;
import java.util.Optional;

/**
 * What the transaction layer needs to know about the items it writes, which are otherwise opaque
 * to it (in ensm: a driver's rendering of sub-interface changes).
 */
public interface EditCodec<T> {

    /** The children of {@code <config>} of one edit-config applying all the items. */
    String render(List<T> items);

    /**
     * The children of a subtree {@code <filter>} selecting what the items touch, for the read-back;
     * an empty string reads the whole configuration.
     */
    String readFilter(List<T> items);

    /** Parses the {@code <data>} element read after the commit, once for all items. */
    ReadBack<T> readBack(String dataXml);

    /** A short name of an item for messages and logs. */
    default String label(T item) {
        return String.valueOf(item);
    }

    /** Checks items against what the device holds. */
    @FunctionalInterface
    interface ReadBack<T> {
        /** Empty when the item holds on the device; otherwise what differs, for the operator. */
        Optional<String> problem(T item);
    }
}
