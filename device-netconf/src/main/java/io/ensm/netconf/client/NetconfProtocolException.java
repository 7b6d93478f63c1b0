package io.ensm.netconf.client;

/** A message that breaks NETCONF's rules (not an rpc-reply, no session-id in the hello, bad XML). */
public final class NetconfProtocolException extends Exception {
    public NetconfProtocolException(String message) {
        super(message);
    }

    public NetconfProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
