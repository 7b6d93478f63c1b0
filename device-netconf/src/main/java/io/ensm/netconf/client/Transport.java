package io.ensm.netconf.client;

import java.io.IOException;

/**
 * The byte pipe under a NETCONF session: the SSH {@code netconf} subsystem, or an in-memory pipe in
 * unit tests. Incoming bytes go to {@link NetconfSession#receive}, the end to {@link NetconfSession#closed}.
 */
public interface Transport {

    /** Sends one framed message; blocks while the peer's window is full. */
    void send(byte[] frame) throws IOException;

    /** Closes the pipe at once (the device sees the session end). */
    void close();
}
