package io.ensm.netconf.client;

import io.ensm.core.spi.Secret;

import java.util.Objects;

/** Where and as whom to open a NETCONF session over SSH. The password never appears in toString. */
public record ConnectSpec(String device, String host, int port, String username, Secret password,
                          HostKeyCheck hostKeyCheck, Timeouts timeouts) {
    public ConnectSpec {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(hostKeyCheck, "hostKeyCheck");
        Objects.requireNonNull(timeouts, "timeouts");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
    }

    @Override
    public String toString() {
        return "ConnectSpec[" + device + " " + username + "@" + host + ":" + port + "]";
    }
}
