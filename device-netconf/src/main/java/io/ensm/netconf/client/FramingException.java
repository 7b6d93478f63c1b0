package io.ensm.netconf.client;

import java.io.IOException;

/** The device broke RFC 6242 framing; the session cannot continue. */
public final class FramingException extends IOException {
    public FramingException(String message) {
        super(message);
    }
}
