package io.ensm.netconf.transaction;

import java.util.function.LongPredicate;

/**
 * When a transaction may end the NETCONF session that keeps it from the lock (RFC 6241
 * kill-session): given only to a replica that is taking an endpoint over (its token is not on the
 * box yet), whose predecessor may be paused with the lock held. After the whole lock wait, the
 * holder must be a session of ensm's own device user (never an operator's) and not one this
 * process has open; see docs/decisions.md ("A replica ends a stale lock holder's session").
 *
 * @param username the user ensm logs in to the device as
 * @param ownSession whether a session id is one this process has open on the device
 */
public record StaleLocks(String username, LongPredicate ownSession) {}
