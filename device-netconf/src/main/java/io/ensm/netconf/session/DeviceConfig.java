package io.ensm.netconf.session;

import io.ensm.netconf.client.Timeouts;

import java.util.Objects;

/**
 * One NETCONF device as ensm reaches it. Holds where the password is, never the password.
 *
 * @param name the device's name in ensm (used in every message and log line)
 */
public record DeviceConfig(String name, String host, int port, String username, PasswordSource password,
                           HostKeyPolicy hostKey, Timeouts timeouts, PoolSettings pool) {
    public DeviceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(hostKey, "hostKey");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(pool, "pool");
        if (name.isBlank() || host.isBlank() || username.isBlank()) {
            throw new IllegalArgumentException("name, host and username must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
    }

    public DeviceConfig withPool(PoolSettings p) {
        return new DeviceConfig(name, host, port, username, password, hostKey, timeouts, p);
    }

    public DeviceConfig withTimeouts(Timeouts t) {
        return new DeviceConfig(name, host, port, username, password, hostKey, t, pool);
    }

    public DeviceConfig withPassword(PasswordSource p) {
        return new DeviceConfig(name, host, port, username, p, hostKey, timeouts, pool);
    }

    public DeviceConfig withHostKey(HostKeyPolicy h) {
        return new DeviceConfig(name, host, port, username, password, h, timeouts, pool);
    }

    public DeviceConfig withAddress(String h, int p) {
        return new DeviceConfig(name, h, p, username, password, hostKey, timeouts, pool);
    }
}
