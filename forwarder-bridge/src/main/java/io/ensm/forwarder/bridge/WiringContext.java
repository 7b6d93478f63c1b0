package io.ensm.forwarder.bridge;

import io.ensm.forwarder.netlink.Rtnetlink;

/**
 * What every part of one connection's wiring needs.
 *
 * @param nl    rtnetlink in the forwarder's namespace
 * @param where that namespace, for messages
 * @param mtu   the MTU of every link ensm makes for the connection
 * @param namespaces open handles of attachment namespaces
 * @param reaper deletes the links of closed connections behind the caller
 */
record WiringContext(String connectionId, LinkNames names, Rtnetlink nl, String where, int mtu, BridgeSettings settings,
                     NamespaceSockets namespaces, Reaper reaper) {}
