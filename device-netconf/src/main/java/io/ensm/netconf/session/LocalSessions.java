package io.ensm.netconf.session;

import io.ensm.netconf.client.NetconfSession;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The NETCONF sessions this process has open, by device address: a lock held by one of them
 * belongs to a live transaction of this process (another endpoint on the same box), never to a
 * stale replica, so its session is never ended.
 */
public final class LocalSessions {
    private static final Map<String, Set<NetconfSession>> OPEN = new ConcurrentHashMap<>();

    private LocalSessions() {}

    static void opened(String host, int port, NetconfSession session) {
        Set<NetconfSession> open = OPEN.computeIfAbsent(host + ":" + port, k -> ConcurrentHashMap.newKeySet());
        open.removeIf(s -> !s.isOpen());
        open.add(session);
    }

    /** Whether this process has the session open on the device at this address. */
    public static boolean isOwn(String host, int port, long sessionId) {
        Set<NetconfSession> open = OPEN.getOrDefault(host + ":" + port, Set.of());
        return open.stream().anyMatch(s -> s.isOpen() && s.sessionId() == sessionId);
    }
}
