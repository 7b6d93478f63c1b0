package io.ensm.netconf.session;

import io.ensm.core.spi.Secret;
import io.ensm.core.spi.SettingsReader;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsAndHostKeysTest {

    private static SettingsReader reader(Map<String, String> m) {
        return new SettingsReader("endpoint 'r1'", m);
    }

    private static Map<String, String> base() {
        Map<String, String> m = new HashMap<>();
        m.put("host", "10.0.0.1");
        m.put("username", "ensm");
        m.put("password-file", "/secrets/r1");
        m.put("known-hosts", "/etc/ensm/known_hosts");
        return m;
    }

    @Test
    void defaultsAndExplicitValuesAreRead() {
        DeviceConfig c = DeviceSettings.parse("r1", reader(base()));
        assertThat(c.port()).isEqualTo(830);
        assertThat(c.password()).isEqualTo(new PasswordSource.File(Path.of("/secrets/r1")));
        assertThat(c.hostKey()).isEqualTo(new HostKeyPolicy.KnownHosts(Path.of("/etc/ensm/known_hosts")));
        assertThat(c.timeouts().rpc()).isEqualTo(Duration.ofSeconds(30));

        Map<String, String> m = base();
        m.put("port", "2830");
        m.put("rpc-timeout", "1500ms");
        m.put("accept-new-host-keys", "true");
        m.put("max-sessions", "4");
        DeviceConfig d = DeviceSettings.parse("r1", reader(m));
        assertThat(d.port()).isEqualTo(2830);
        assertThat(d.timeouts().rpc()).isEqualTo(Duration.ofMillis(1500));
        assertThat(d.hostKey()).isInstanceOf(HostKeyPolicy.AcceptNew.class);
        assertThat(d.pool().maxSessions()).isEqualTo(4);
    }

    @Test
    void everyBadSettingIsNamed() {
        record Case(String key, String value, String message) {}
        Case[] cases = {
                new Case("port", "ssh", "port: 'ssh' is not a number in 1..65535"),
                new Case("port", "70000", "port: '70000' is not a number"),
                new Case("host", null, "host: missing"),
                new Case("rpc-timeout", "5 seconds", "rpc-timeout: '5 seconds' is not a duration"),
                new Case("accept-new-host-keys", "yes", "accept-new-host-keys: 'yes' is not true or false"),
                new Case("password-env", "PW", "password-file: give exactly one of password-file or password-env"),
                new Case("host-key-sha256", "SHA256:abc", "known-hosts: give exactly one of known-hosts or host-key-sha256"),
                new Case("max-sessions", "0", "max-sessions: '0' is not a number in 1..64"),
        };
        for (Case c : cases) {
            Map<String, String> m = base();
            if (c.value() == null) {
                m.remove(c.key());
            } else {
                m.put(c.key(), c.value());
            }
            assertThatThrownBy(() -> DeviceSettings.parse("r1", reader(m))).as(c.key()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(c.message());
        }
        Map<String, String> pinned = base();
        pinned.remove("known-hosts");
        pinned.put("host-key-sha256", "MD5:aa");
        assertThatThrownBy(() -> DeviceSettings.parse("r1", reader(pinned))).hasMessageStartingWith("host-key-sha256: a pinned host key must look like");
    }

    @Test
    void passwordsComeFromAFileOrTheEnvironmentAndNeverPrint(@TempDir Path tmp) throws IOException {
        Path f = Files.writeString(tmp.resolve("pw"), "s3cret\nignored\n");
        Secret fromFile = new PasswordSource.File(f).read();
        assertThat(fromFile.reveal()).isEqualTo("s3cret");
        assertThat(fromFile.toString()).doesNotContain("s3cret");
        Secret fromEnv = new PasswordSource.Env("NC_PW", Map.of("NC_PW", "x9")::get).read();
        assertThat(fromEnv.reveal()).isEqualTo("x9");
        assertThat(new PasswordSource.Env("NC_PW", Map.of("NC_PW", "x9")::get).toString()).doesNotContain("x9");
        assertThatThrownBy(() -> new PasswordSource.Env("NC_MISSING", k -> null).read()).hasMessage("environment variable NC_MISSING is not set");
        Files.writeString(f, "\n");
        assertThatThrownBy(() -> new PasswordSource.File(f).read()).hasMessageContaining("is empty");
    }

    private static PublicKey ed25519() throws Exception {
        KeyPairGenerator g = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
        return g.generateKeyPair().getPublic();
    }

    @Test
    void knownHostsMatchesHostAndPortAndRefusesOtherKeys(@TempDir Path tmp) throws Exception {
        PublicKey key = ed25519();
        PublicKey other = ed25519();
        Path file = tmp.resolve("known_hosts");
        Files.writeString(file, "# devices\n[10.0.0.1]:830 " + PublicKeyEntry.toString(key) + "\n10.0.0.2 " + PublicKeyEntry.toString(key) + "\n");
        HostKeyPolicy known = new HostKeyPolicy.KnownHosts(file);
        assertThat(known.refusal("10.0.0.1", 830, key)).isEmpty();
        assertThat(known.refusal("10.0.0.2", 22, key)).isEmpty();
        assertThat(known.refusal("10.0.0.1", 831, key)).hasValueSatisfying(r -> assertThat(r).contains("is not in " + file));
        assertThat(known.refusal("10.0.0.1", 830, other)).hasValueSatisfying(r -> assertThat(r).contains("differs from the known"));
        assertThat(new HostKeyPolicy.KnownHosts(tmp.resolve("absent")).refusal("10.0.0.1", 830, key))
                .hasValueSatisfying(r -> assertThat(r).startsWith("cannot read known_hosts file"));
    }

    @Test
    void acceptNewWritesTheKeyOnceAndThenBehavesLikeKnownHosts(@TempDir Path tmp) throws Exception {
        PublicKey key = ed25519();
        Path file = tmp.resolve("sub").resolve("known_hosts");
        HostKeyPolicy tofu = new HostKeyPolicy.AcceptNew(file);
        assertThat(tofu.refusal("r1.lab", 830, key)).isEmpty();
        assertThat(Files.readAllLines(file)).containsExactly("[r1.lab]:830 " + PublicKeyEntry.toString(key));
        assertThat(new HostKeyPolicy.KnownHosts(file).refusal("r1.lab", 830, key)).isEmpty();
        assertThat(tofu.refusal("r1.lab", 830, ed25519())).isPresent();
        assertThat(Files.readAllLines(file)).hasSize(1);
    }

    @Test
    void pinnedFingerprintsAreCheckedAndValidated() throws Exception {
        PublicKey key = ed25519();
        String fp = HostKeyPolicy.HostKeys.fingerprint(key);
        assertThat(fp).startsWith("SHA256:").hasSize(50);
        assertThat(new HostKeyPolicy.Pinned(fp).refusal("h", 830, key)).isEmpty();
        assertThat(new HostKeyPolicy.Pinned(fp + "=").refusal("h", 830, key)).isEmpty();
        assertThat(new HostKeyPolicy.Pinned(fp).refusal("h", 830, ed25519())).isPresent();
        assertThatThrownBy(() -> new HostKeyPolicy.Pinned("ab:cd")).isInstanceOf(IllegalArgumentException.class);
    }
}
