package io.ensm.netconf.session;

import io.ensm.core.spi.Redact;
import io.ensm.netconf.client.Timeouts;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a device's connection settings from plain key/value configuration (a backend's
 * {@code settings}); every error names its key. Keys not listed here are left to the caller.
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
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

    private DeviceSettings() {}

    public static DeviceConfig parse(String device, Map<String, String> s) {
        String host = required(s, "host");
        if (Redact.hasUserInfo(host)) {
            throw new IllegalArgumentException("host: '" + Redact.url(host) + "' carries a user or password, which is not accepted"
                    + " (set username, and password-file or password-env)");
        }
        int port = integer(s, "port", 830, 1, 65535);
        String username = required(s, "username");
        PasswordSource password = password(s);
        HostKeyPolicy hostKey = hostKey(s);
        Duration connect = duration(s, "connect-timeout", Duration.ofSeconds(5));
        Duration rpc = duration(s, "rpc-timeout", Duration.ofSeconds(30));
        int maxSessions = integer(s, "max-sessions", PoolSettings.DEFAULTS.maxSessions(), 1, 64);
        Duration keepAlive = duration(s, "keep-alive", PoolSettings.DEFAULTS.keepAliveInterval());
        PoolSettings pool = PoolSettings.DEFAULTS.withMaxSessions(maxSessions).withKeepAliveInterval(keepAlive);
        return new DeviceConfig(device, host, port, username, password, hostKey, new Timeouts(connect, connect.multipliedBy(2), connect, rpc), pool);
    }

    private static PasswordSource password(Map<String, String> s) {
        String file = s.get("password-file");
        String env = s.get("password-env");
        if ((file == null) == (env == null)) {
            throw new IllegalArgumentException("password-file: give exactly one of password-file or password-env");
        }
        if (file != null) {
            if (file.isBlank()) {
                throw new IllegalArgumentException("password-file: empty path");
            }
            return new PasswordSource.File(Path.of(file));
        }
        if (!env.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            // quoting the value would print the password when it was put here instead of a variable's name
            throw new IllegalArgumentException("password-env: the value is not an environment variable name"
                    + " (not shown: it may be the password itself)");
        }
        return new PasswordSource.Env(env);
    }

    private static HostKeyPolicy hostKey(Map<String, String> s) {
        String knownHosts = s.get("known-hosts");
        String pinned = s.get("host-key-sha256");
        String acceptNew = s.getOrDefault("accept-new-host-keys", "false");
        if (!acceptNew.equals("true") && !acceptNew.equals("false")) {
            throw new IllegalArgumentException("accept-new-host-keys: must be true or false, not '" + acceptNew + "'");
        }
        if ((knownHosts == null) == (pinned == null)) {
            throw new IllegalArgumentException("known-hosts: give exactly one of known-hosts or host-key-sha256 (host keys are always checked)");
        }
        if (pinned != null) {
            if (acceptNew.equals("true")) {
                throw new IllegalArgumentException("accept-new-host-keys: needs known-hosts, not a pinned key");
            }
            try {
                return new HostKeyPolicy.Pinned(pinned);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("host-key-sha256: " + e.getMessage());
            }
        }
        if (knownHosts.isBlank()) {
            throw new IllegalArgumentException("known-hosts: empty path");
        }
        Path file = Path.of(knownHosts);
        return acceptNew.equals("true") ? new HostKeyPolicy.AcceptNew(file) : new HostKeyPolicy.KnownHosts(file);
    }

    private static String required(Map<String, String> s, String key) {
        String v = s.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(key + ": missing");
        }
        return v.strip();
    }

    private static int integer(Map<String, String> s, String key, int dflt, int min, int max) {
        String v = s.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a number in " + min + ".." + max);
        }
    }

    static Duration duration(Map<String, String> s, String key, Duration dflt) {
        String v = s.get(key);
        if (v == null) {
            return dflt;
        }
        Matcher m = DURATION.matcher(v.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a positive duration like 500ms, 5s or 2m");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }
}
