package io.ensm.core.identity;

import io.ensm.core.testing.OutputCapture;
import io.ensm.core.testing.SecretScan;
import io.ensm.core.testing.TestCa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PemFileIdentityTest {
    private static final TestCa CA = TestCa.create("example.org");

    @TempDir
    Path dir;

    @Test
    void loadsTheSvidAndReportsItsIdExpiryAndSerial() {
        TestCa.Svid svid = CA.issue("ns/ensm", Duration.ofMinutes(5));
        TestCa.Files3 f = svid.writeTo(dir);
        try (PemFileIdentity identity = PemFileIdentity.load(f.svid(), f.key(), f.bundle(), Duration.ZERO)) {
            assertThat(identity.current().spiffeId()).isEqualTo("spiffe://example.org/ns/ensm");
            assertThat(identity.current().notAfter()).isEqualTo(svid.leaf().getNotAfter().toInstant());
            assertThat(identity.current().serial()).isEqualTo(svid.leaf().getSerialNumber());
            assertThat(identity.getX509Svid().getPrivateKey()).isEqualTo(svid.key());
            assertThat(identity.describe()).contains(f.svid().toString()).doesNotContain("PRIVATE");
        }
    }

    @Test
    void reloadInstallsNewFilesAndTellsListeners() {
        TestCa.Files3 f = CA.issue("ensm", Duration.ofMinutes(5)).writeTo(dir);
        try (PemFileIdentity identity = PemFileIdentity.load(f.svid(), f.key(), f.bundle(), Duration.ZERO)) {
            List<SvidInfo> seen = new CopyOnWriteArrayList<>();
            identity.onRotation(seen::add);
            assertThat(identity.reload()).as("unchanged files").isFalse();

            TestCa.Svid next = CA.issue("ensm", Duration.ofMinutes(10));
            next.writeTo(dir);
            assertThat(identity.reload()).isTrue();

            assertThat(identity.current().serial()).isEqualTo(next.leaf().getSerialNumber());
            assertThat(seen).singleElement().extracting(SvidInfo::serial).isEqualTo(next.leaf().getSerialNumber());
        }
    }

    @Test
    void backgroundReloadPicksUpRotatedFiles() throws Exception {
        TestCa.Files3 f = CA.issue("ensm", Duration.ofSeconds(30)).writeTo(dir);
        try (PemFileIdentity identity = PemFileIdentity.load(f.svid(), f.key(), f.bundle(), Duration.ofMillis(100))) {
            TestCa.Svid next = CA.issue("ensm", Duration.ofSeconds(30));
            next.writeTo(dir);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!identity.current().serial().equals(next.leaf().getSerialNumber()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(identity.current().serial()).isEqualTo(next.leaf().getSerialNumber());
        }
    }

    @Test
    void aBrokenRotationKeepsTheCurrentSvidAndLogsNoKeyMaterial() throws Exception {
        TestCa.Svid first = CA.issue("ensm", Duration.ofMinutes(5));
        TestCa.Files3 f = first.writeTo(dir);
        TestCa.Svid other = CA.issue("ensm", Duration.ofMinutes(5));
        SecretScan scan = SecretScan.of().privateKey("first key", first.key(), first.keyPemLines())
                .privateKey("other key", other.key(), other.keyPemLines());
        try (OutputCapture out = OutputCapture.start();
             PemFileIdentity identity = PemFileIdentity.load(f.svid(), f.key(), f.bundle(), Duration.ofMillis(50))) {
            // a writer replaced the certificate but not yet the key
            Files.writeString(f.svid(), other.certificatePem());
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!out.text().contains("event=svid-reload-rejected") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(out.text()).contains("event=svid-reload-rejected").contains(f.svid().toString());
            assertThat(identity.current().serial()).isEqualTo(first.leaf().getSerialNumber());
            assertThatThrownBy(identity::reload).isInstanceOf(IdentityException.class);
            scan.assertClean("log of a rejected rotation", out.text());
        }
    }

    @Test
    void missingFileIsNamed() {
        TestCa.Files3 f = CA.issue("ensm", Duration.ofMinutes(5)).writeTo(dir);
        assertThatThrownBy(() -> PemFileIdentity.load(dir.resolve("nope.pem"), f.key(), f.bundle(), Duration.ZERO))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining("nope.pem").hasMessageContaining("does not exist");
    }

    @Test
    void sec1KeyIsRefusedWithTheConversionCommand() throws Exception {
        TestCa.Files3 f = CA.issue("ensm", Duration.ofMinutes(5)).writeTo(dir);
        Files.writeString(f.key(), "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemFileIdentity.load(f.svid(), f.key(), f.bundle(), Duration.ZERO))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining("PKCS#8").hasMessageContaining("openssl pkcs8 -topk8");
    }

    @Test
    void keyOfAnotherCertificateIsRefusedWithoutShowingIt() {
        TestCa.Svid svid = CA.issue("ensm", Duration.ofMinutes(5));
        TestCa.Svid other = CA.issue("ensm", Duration.ofMinutes(5));
        TestCa.Files3 f = svid.writeTo(dir);
        Path otherKey = dir.resolve("other-key.pem");
        other.writeTo(dir.resolve("other"));
        try {
            Files.copy(dir.resolve("other/key.pem"), otherKey);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        SecretScan scan = SecretScan.of().privateKey("other key", other.key(), other.keyPemLines());
        assertThatThrownBy(() -> PemFileIdentity.load(f.svid(), otherKey, f.bundle(), Duration.ZERO))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining("other-key.pem")
                .satisfies(e -> scan.assertClean("the error message", e.getMessage()));
    }

    @Test
    void svidOfAnotherAuthorityIsRefusedNamingTheBundle() {
        TestCa.Svid foreign = TestCa.create("example.org").issue("ensm", Duration.ofMinutes(5));
        TestCa.Files3 f = foreign.writeTo(dir);
        CA.writeBundle(f.bundle());
        assertThatThrownBy(() -> PemFileIdentity.load(f.svid(), f.key(), f.bundle(), Duration.ZERO))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining("does not verify against the trust bundle").hasMessageContaining("bundle.pem");
    }

    @Test
    void expiredSvidIsRefused() throws Exception {
        TestCa.Files3 f = CA.issue("ensm", Duration.ofSeconds(1)).writeTo(dir);
        Thread.sleep(1500);
        assertThatThrownBy(() -> PemFileIdentity.load(f.svid(), f.key(), f.bundle(), Duration.ZERO))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining("does not verify");
    }
}
