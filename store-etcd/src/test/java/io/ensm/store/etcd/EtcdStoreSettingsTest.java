package io.ensm.store.etcd;

import io.ensm.core.spi.InvalidSettingException;
import io.ensm.core.spi.SettingsReader;
import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import io.ensm.store.etcd.testbed.EtcdClusterExtension.Secured;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The etcd store's settings, checked at start with the secured test bed's certificate files. */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class EtcdStoreSettingsTest {
    private static final Function<String, String> NO_ENV = name -> null;

    private final EtcdCluster cluster;
    @TempDir
    Path tmp;

    EtcdStoreSettingsTest(@Secured EtcdCluster cluster) {
        this.cluster = cluster;
    }

    private Map<String, String> valid() {
        Map<String, String> m = new HashMap<>();
        m.put("endpoints", cluster.endpointList());
        m.put("ca-file", cluster.caFile().toString());
        m.put("cert-file", cluster.clientCert().toString());
        m.put("key-file", cluster.clientKey().toString());
        m.put("username", cluster.user());
        m.put("password-file", cluster.passwordFile().toString());
        return m;
    }

    private static EtcdStoreSettings parse(Map<String, String> values) {
        return EtcdStoreSettings.parse(new SettingsReader("the etcd store", values), NO_ENV);
    }

    private static InvalidSettingException refused(Map<String, String> values) {
        return catchThrowableOfType(InvalidSettingException.class, () -> parse(values));
    }

    /** Every base64 line of a PEM file: none may appear in a message. */
    private static List<String> pemBody(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> !l.startsWith("-----") && l.length() >= 16).toList();
    }

    @Test
    void theTestBedsFilesAndUserMakeSettingsWithTlsAndAuth() {
        EtcdStoreSettings s = parse(valid());
        assertThat(s.client().secure()).isTrue();
        assertThat(s.client().tls().certFile()).isEqualTo(cluster.clientCert());
        assertThat(s.client().auth().user()).isEqualTo(cluster.user());
        assertThat(s.toString()).doesNotContain(cluster.password().reveal()).contains("(secret)");
    }

    @Test
    void mixedSchemesAreRefusedNamingEndpoints() {
        Map<String, String> m = valid();
        m.put("endpoints", cluster.endpoint(1) + "," + cluster.endpoint(2).toString().replace("https:", "http:"));
        InvalidSettingException e = refused(m);
        assertThat(e.key()).isEqualTo("endpoints");
        assertThat(e).hasMessageContaining("mix http:// and https://");
    }

    @Test
    void tlsFilesWithHttpEndpointsAreRefusedNamingTheFile() {
        Map<String, String> m = valid();
        m.put("endpoints", cluster.endpointList().replace("https:", "http:"));
        assertThat(refused(m).key()).isEqualTo("ca-file");
    }

    @Test
    void aMissingCaFileIsNamedWithItsKey() {
        Map<String, String> m = valid();
        m.put("ca-file", tmp.resolve("absent.pem").toString());
        InvalidSettingException e = refused(m);
        assertThat(e.key()).isEqualTo("ca-file");
        assertThat(e).hasMessageContaining(tmp.resolve("absent.pem").toString()).hasMessageContaining("no such file");
    }

    @Test
    void aKeyGivenAsCaIsRefusedWithoutQuotingIt() throws IOException {
        Map<String, String> m = valid();
        m.put("ca-file", cluster.clientKey().toString());
        InvalidSettingException e = refused(m);
        assertThat(e.key()).isEqualTo("ca-file");
        assertThat(e).hasMessageContaining(cluster.clientKey().toString()).hasMessageContaining("certificate");
        for (String line : pemBody(cluster.clientKey())) {
            assertThat(e.getMessage()).doesNotContain(line);
        }
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingKeyFile() throws IOException {
        Map<String, String> m = valid();
        Path otherKey = cluster.clientKey().resolveSibling("member-1-key.pem");
        m.put("key-file", otherKey.toString());
        InvalidSettingException e = refused(m);
        assertThat(e.key()).isEqualTo("key-file");
        assertThat(e).hasMessageContaining(otherKey.toString()).hasMessageContaining("does not belong to the certificate");
        for (String line : pemBody(otherKey)) {
            assertThat(e.getMessage()).doesNotContain(line);
        }
    }

    @Test
    void aDamagedKeyIsRefusedWithoutQuotingIt() throws IOException {
        Path damaged = tmp.resolve("damaged-key.pem");
        List<String> lines = Files.readAllLines(cluster.clientKey());
        String body = lines.get(1);
        lines.set(1, body.substring(0, 10) + "AAAA" + body.substring(14));
        Files.write(damaged, lines);
        Map<String, String> m = valid();
        m.put("key-file", damaged.toString());
        InvalidSettingException e = refused(m);
        assertThat(e.key()).isEqualTo("key-file");
        for (String line : pemBody(damaged)) {
            assertThat(e.getMessage()).doesNotContain(line);
        }
    }

    @Test
    void aCertificateWithoutItsKeyIsRefused() {
        Map<String, String> m = valid();
        m.remove("key-file");
        assertThat(refused(m).key()).isEqualTo("key-file");
    }

    @Test
    void aPasswordInTheConfigurationOrAUserWithoutOneIsRefused() {
        Map<String, String> m = valid();
        m.remove("password-file");
        m.put("password", "not-accepted-here");
        InvalidSettingException e = refused(m);
        assertThat(e.key()).isEqualTo("password");
        assertThat(e).hasMessageNotContaining("not-accepted-here");
        m.remove("password");
        assertThat(refused(m).key()).isEqualTo("password-file");
    }
}
