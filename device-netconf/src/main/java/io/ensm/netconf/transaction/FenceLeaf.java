package io.ensm.netconf.transaction;

import java.util.OptionalLong;

/**
 * A place on the device where the replica that holds an endpoint keeps its fencing token. The
 * transaction reads it right after taking the lock and refuses to write when the device holds a
 * newer token than its own; when the device holds an older one (or none) it writes its own in the
 * same transaction as its items.
 */
public interface FenceLeaf {

    /** The children of a subtree {@code <filter>} reading the leaf. */
    String readFilter();

    /** The token the {@code <data>} read holds; empty when the device holds none. */
    OptionalLong token(String dataXml);

    /** The children of {@code <config>} writing {@code token}, keeping whatever else the read showed there. */
    String render(String dataXml, long token);

    /** What the leaf is, for messages: "the description of port eth1". */
    String label();
}
