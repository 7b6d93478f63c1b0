package io.ensm.netconf.session;

import io.ensm.netconf.client.ConnectSpec;
import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;

/** Opens one session (in production {@link io.ensm.netconf.client.SshConnector#connect}). */
@FunctionalInterface
public interface SessionOpener {
    NetconfSession open(ConnectSpec spec) throws NetconfException;
}
