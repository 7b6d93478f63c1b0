package io.ensm.netconf.client;

import java.security.PublicKey;
import java.util.Optional;

/** Decides whether a device's SSH host key is the one expected. */
@FunctionalInterface
public interface HostKeyCheck {

    /** Empty to accept; otherwise why the key is refused, in words for the operator. */
    Optional<String> refusal(String host, int port, PublicKey key);
}
