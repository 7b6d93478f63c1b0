package io.ensm.netconf.session;

import io.ensm.core.spi.Redact;
import io.ensm.core.spi.SettingsReader;
import io.ensm.netconf.client.Timeouts;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads a device's connection settings from a backend's settings; every error names its key.
 * Keys not listed here are left to the caller, who ends the reading with
 * {@link SettingsReader#done()}.
 *
 * <pre>
 * host                 required
 * port                 830
 * username             required
 * password-file        one of password-file (first line of the file) or password-env (variable name)
 * password-env
 * known-hosts          one of known-hosts (OpenSSH file) or host-key-sha256 ("SHA256:...", as ssh-keygen -l prints)
 * host-key-sha256
 * accept-new-host-keys false; true adds an unknown host's key to known-hosts on first contact
 * connect-timeout      5s  (TCP connect, subsystem and hello; key exchange with authentication gets twice this)
 * rpc-timeout          30s
 * max-sessions         2
 * keep-alive           30s
 * </pre>
 */
public final class DeviceSettings {
    private DeviceSettings() {}

    public static DeviceConfig parse(String device, SettingsReader s) {
        String host = s.required("host", "the box's management address");
        if (Redact.hasUserInfo(host)) {
            throw s.invalid("host", "'" + Redact.url(host) + "' carries a user or password, which is not accepted"
                    + " (set username, and password-file or password-env)");
        }
        int port = s.integer("port", 1, 65535, 830);
        String username = s.required("username", "the user ensm logs in as");
        PasswordSource password = password(s);
        HostKeyPolicy hostKey = hostKey(s);
        Duration connect = s.duration("connect-timeout", Duration.ofSeconds(5));
        Duration rpc = s.duration("rpc-timeout", Duration.ofSeconds(30));
        int maxSessions = s.integer("max-sessions", 1, 64, PoolSettings.DEFAULTS.maxSessions());
        Duration keepAlive = s.duration("keep-alive", PoolSettings.DEFAULTS.keepAliveInterval());
        PoolSettings pool = PoolSettings.DEFAULTS.withMaxSessions(maxSessions).withKeepAliveInterval(keepAlive);
        return new DeviceConfig(device, host, port, username, password, hostKey, new Timeouts(connect, connect.multipliedBy(2), connect, rpc), pool);
    }

    /** Read at each login rather than now, so a rotated password is picked up without a restart. */
    private static PasswordSource password(SettingsReader s) {
        Optional<String> file = s.optional("password-file");
        Optional<String> env = s.optional("password-env");
        if (file.isPresent() == env.isPresent()) {
            throw s.invalid("password-file", "give exactly one of password-file or password-env");
        }
        if (file.isPresent()) {
            return new PasswordSource.File(Path.of(file.get()));
        }
        if (!env.get().matches("[A-Za-z_][A-Za-z0-9_]*")) {
            // quoting the value would print the password when it was put here instead of a variable's name
            throw s.invalid("password-env", "the value is not an environment variable name"
                    + " (not shown: it may be the password itself)");
        }
        return new PasswordSource.Env(env.get());
    }

    private static HostKeyPolicy hostKey(SettingsReader s) {
        Optional<String> knownHosts = s.optional("known-hosts");
        Optional<String> pinned = s.optional("host-key-sha256");
        boolean acceptNew = s.bool("accept-new-host-keys", false);
        if (knownHosts.isPresent() == pinned.isPresent()) {
            throw s.invalid("known-hosts", "give exactly one of known-hosts or host-key-sha256 (host keys are always checked)");
        }
        if (pinned.isPresent()) {
            if (acceptNew) {
                throw s.invalid("accept-new-host-keys", "needs known-hosts, not a pinned key");
            }
            try {
                return new HostKeyPolicy.Pinned(pinned.get());
            } catch (IllegalArgumentException e) {
                throw s.invalid("host-key-sha256", e.getMessage(), e);
            }
        }
        Path file = Path.of(knownHosts.get());
        return acceptNew ? new HostKeyPolicy.AcceptNew(file) : new HostKeyPolicy.KnownHosts(file);
    }
}
