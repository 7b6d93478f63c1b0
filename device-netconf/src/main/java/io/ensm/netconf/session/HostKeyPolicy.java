package io.ensm.netconf.session;

import io.ensm.netconf.client.HostKeyCheck;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a device's SSH host key is verified: against an OpenSSH known_hosts file, against a pinned
 * SHA256 fingerprint, or (only when configured explicitly) by learning an unknown host's key into
 * the known_hosts file on first contact. A key that differs from a known one is always refused.
 */
public sealed interface HostKeyPolicy extends HostKeyCheck {

    /** Accepts only keys listed for the host (and port) in the file; plain and hashed host names. */
    record KnownHosts(Path file) implements HostKeyPolicy {
        public KnownHosts {
            Objects.requireNonNull(file, "file");
        }

        @Override
        public Optional<String> refusal(String host, int port, PublicKey key) {
            return HostKeys.check(file, host, port, key, false);
        }
    }

    /** Accepts exactly one key, named by its OpenSSH SHA256 fingerprint ("SHA256:base64"). */
    record Pinned(String sha256) implements HostKeyPolicy {
        private static final Pattern FORMAT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}=?");

        public Pinned {
            Objects.requireNonNull(sha256, "sha256");
            if (!FORMAT.matcher(sha256).matches()) {
                throw new IllegalArgumentException("a pinned host key must look like SHA256:<43 base64 characters>, as ssh-keygen -l prints it");
            }
            sha256 = sha256.endsWith("=") ? sha256.substring(0, sha256.length() - 1) : sha256;
        }

        @Override
        public Optional<String> refusal(String host, int port, PublicKey key) {
            String actual = HostKeys.fingerprint(key);
            if (actual.equals(sha256)) {
                return Optional.empty();
            }
            return Optional.of("host key " + actual + " of " + host + ":" + port + " does not match the pinned " + sha256);
        }
    }

    /**
     * Like {@link KnownHosts}, but an unknown host's key is appended to the file and accepted
     * (trust on first use). A changed key is refused as with {@link KnownHosts}.
     */
    record AcceptNew(Path file) implements HostKeyPolicy {
        public AcceptNew {
            Objects.requireNonNull(file, "file");
        }

        @Override
        public Optional<String> refusal(String host, int port, PublicKey key) {
            return HostKeys.check(file, host, port, key, true);
        }
    }

    /** known_hosts reading and, for accept-new, appending. */
    final class HostKeys {
        private static final Logger log = LoggerFactory.getLogger(HostKeyPolicy.class);

        private HostKeys() {}

        static String fingerprint(PublicKey key) {
            return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
        }

        static synchronized Optional<String> check(Path file, String host, int port, PublicKey key, boolean learn) {
            String where = host + ":" + port;
            String fp = fingerprint(key);
            List<KnownHostEntry> entries;
            try {
                entries = Files.exists(file) || !learn ? KnownHostEntry.readKnownHostEntries(file) : List.of();
            } catch (IOException e) {
                return Optional.of("cannot read known_hosts file " + file + ": " + e.getMessage());
            }
            List<String> otherKeys = new ArrayList<>();
            for (KnownHostEntry entry : entries) {
                if (entry.getMarker() != null || !entry.isHostMatch(host, port)) {
                    continue; // @revoked / @cert-authority are not used for devices
                }
                try {
                    PublicKey known = entry.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
                    if (known == null) {
                        continue;
                    }
                    if (KeyUtils.compareKeys(known, key)) {
                        return Optional.empty();
                    }
                    otherKeys.add(fingerprint(known));
                } catch (IOException | GeneralSecurityException e) {
                    log.warn("event=known_hosts_entry_unreadable file={} host={} error=\"{}\"", file, where, e.getMessage());
                }
            }
            if (!otherKeys.isEmpty()) {
                return Optional.of("host key " + fp + " of " + where + " differs from the known " + String.join(", ", otherKeys)
                        + " in " + file + " (the device was replaced or the connection is intercepted)");
            }
            if (!learn) {
                return Optional.of("host key " + fp + " (" + KeyUtils.getKeyType(key) + ") of " + where + " is not in " + file
                        + "; add it (ssh-keyscan -p " + port + " " + host + ") or pin its fingerprint");
            }
            try {
                String name = port == 22 ? host : "[" + host + "]:" + port;
                String line = name + " " + PublicKeyEntry.toString(key) + System.lineSeparator();
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                log.warn("event=host_key_learned host={} fingerprint={} file={}", where, fp, file);
                return Optional.empty();
            } catch (IOException e) {
                return Optional.of("cannot record the new host key " + fp + " of " + where + " in " + file + ": " + e.getMessage());
            }
        }
    }
}
