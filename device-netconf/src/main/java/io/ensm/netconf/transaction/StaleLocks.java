package io.ensm.netconf.transaction;

import java.util.function.LongPredicate;

/**
 * When a transaction may end the NETCONF session that keeps it from the lock (RFC 6241
 * kill-session): only for a replica of an ensm cluster, whose predecessor on the endpoint may be
 * paused with the lock held. The holder must be a session of ensm's own device user (never an
 * operator's), not one this process has open, and it must have sent no RPC while the lock was
 * waited for; see docs/decisions.md ("A replica ends a stale lock holder's session").
 *
 * @param username the user ensm logs in to the device as
 * @param ownSession whether a session id is one this process has open on the device
 */
public record StaleLocks(String username, LongPredicate ownSession) {}
