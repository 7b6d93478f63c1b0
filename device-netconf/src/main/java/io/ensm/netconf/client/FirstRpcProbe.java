package io.ensm.netconf.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Opens a session and makes sure the device answers an RPC on it: netconfd never answers a session
 * whose first RPC reached it in the same read as the client's hello. A pause after the hello makes
 * that rare; an unanswered first RPC makes ensm open the session again, a bounded number of times.
 */
final class FirstRpcProbe {
    private static final Logger log = LoggerFactory.getLogger(FirstRpcProbe.class);

    /** Opens one session with the hello exchanged. */
    @FunctionalInterface
    interface Opener {
        NetconfSession open() throws NetconfException;
    }

    private FirstRpcProbe() {}

    static NetconfSession open(String device, Opener opener, Duration settle, Duration timeout, int attempts)
            throws NetconfException {
        for (int attempt = 1; ; attempt++) {
            NetconfSession session = opener.open();
            try {
                Thread.sleep(settle);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                session.abort("interrupted");
                throw new NetconfException.Unreachable(device, "hello", "interrupted", e);
            }
            try {
                // Any reply, even an rpc-error, shows the session works.
                session.rpc(Rpcs.ping(), timeout);
                return session;
            } catch (NetconfException.Unreachable e) {
                session.abort("no answer to the first RPC");
                if (attempt >= attempts) {
                    throw new NetconfException.Unreachable(device, "hello",
                            "no answer to the first RPC on " + attempts + " sessions: " + e.detail(), e);
                }
                log.info("event=netconf_first_rpc_unanswered device={} attempt={} error=\"{}\"", device, attempt, e.detail());
            }
        }
    }
}
