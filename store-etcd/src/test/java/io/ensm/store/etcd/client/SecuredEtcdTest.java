package io.ensm.store.etcd.client;

import io.ensm.core.spi.Secret;
import io.ensm.core.testing.OutputCapture;
import io.ensm.core.testing.SecretScan;
import io.ensm.store.etcd.client.LeaseKeeper.State;
import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import io.ensm.store.etcd.testbed.EtcdClusterExtension.Secured;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client against the test bed's cluster with TLS (client certificates required) and etcd's auth on. */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class SecuredEtcdTest {
    private final EtcdCluster cluster;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private String prefix;

    SecuredEtcdTest(@Secured EtcdCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void setUp(TestInfo test) {
        prefix = EtcdCluster.AUTH_PREFIX + "-test/" + test.getTestMethod().orElseThrow().getName() + "/" + System.nanoTime() + "/";
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
        cluster.heal();
    }

    private <T extends AutoCloseable> T open(T c) {
        closeables.add(c);
        return c;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsWritesAndGuardedWritesGoOverMutualTlsAsTheUser() {
        EtcdClient client = open(EtcdClient.connect(cluster.settings()));
        assertThat(client.createIfAbsent(prefix + "a", bytes("1"), 0)).isInstanceOf(TxnOutcome.Done.class);
        assertThat(client.createIfAbsent(prefix + "a", bytes("2"), 0)).isInstanceOf(TxnOutcome.Exists.class);
        Entry a = client.get(prefix + "a").orElseThrow();
        assertThat(client.ifModRevision(prefix + "a", a.modRevision(), List.of(new Write.Put(prefix + "a", bytes("3"), 0))))
                .isInstanceOf(TxnOutcome.Done.class);
        assertThat(client.ifModRevision(prefix + "a", a.modRevision(), List.of(new Write.Put(prefix + "a", bytes("4"), 0))))
                .as("a compare against a stale revision").isInstanceOf(TxnOutcome.Changed.class);
        assertThat(new String(client.get(prefix + "a").orElseThrow().value(), StandardCharsets.UTF_8)).isEqualTo("3");
        assertThat(client.range(prefix).entries()).hasSize(1);
        assertThat(client.tokensObtained()).isEqualTo(1);

        // The token is what carries the user: outside its role's keys etcd refuses.
        assertThatThrownBy(() -> client.put("/elsewhere/" + System.nanoTime(), bytes("x")))
                .isInstanceOf(EtcdException.class).hasMessageContaining("permission denied");
        // Without a token the client certificate's CN (ensm-client) would be the user, and it is none.
        try (EtcdClient anonymous = EtcdClient.connect(cluster.settings().withAuth(null))) {
            assertThatThrownBy(() -> anonymous.get(prefix + "a")).isInstanceOf(EtcdException.class)
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void aMemberCertificateFromAnotherCaIsAClearErrorNamingTheEndpoint() {
        EtcdSettings settings = cluster.settings().withTls(new EtcdTls(cluster.otherCaFile(), cluster.clientCert(), cluster.clientKey()))
                .withCallTimeout(Duration.ofSeconds(1));
        try (EtcdClient client = EtcdClient.connect(settings)) {
            assertThatThrownBy(() -> client.get(prefix + "a")).isInstanceOf(EtcdException.class)
                    .satisfies(e -> assertThat(((EtcdException) e).kind()).isEqualTo(EtcdException.Kind.UNAVAILABLE))
                    .hasMessageContaining(cluster.endpoint(1).getHost() + ":" + cluster.endpoint(1).getPort())
                    .hasMessageContaining("certificate is not trusted");
        }
    }

    @Test
    void aClientWithoutCertificateIsRefusedByAClusterThatRequiresOne() {
        EtcdSettings settings = cluster.settings().withTls(new EtcdTls(cluster.caFile(), null, null)).withCallTimeout(Duration.ofSeconds(1));
        try (EtcdClient client = EtcdClient.connect(settings)) {
            assertThatThrownBy(() -> client.get(prefix + "a")).isInstanceOf(EtcdException.class)
                    .hasMessageContaining(cluster.endpoint(1).getHost() + ":" + cluster.endpoint(1).getPort())
                    .hasMessageContaining("client certificate");
        }
    }

    /** A CA bundle replaced on disk serves the next connection of the same client. */
    @Test
    void aRotatedCaBundleServesTheNextConnectionWithoutARestart(@TempDir Path tmp) throws Exception {
        Path ca = tmp.resolve("ca.pem");
        replace(cluster.otherCaFile(), ca);
        EtcdClient client = open(EtcdClient.connect(cluster.settings().withTls(new EtcdTls(ca, cluster.clientCert(), cluster.clientKey()))
                .withCallTimeout(Duration.ofSeconds(4))));
        assertThatThrownBy(() -> client.get(prefix + "a")).hasMessageContaining("certificate is not trusted");
        replace(cluster.caFile(), ca);
        awaitWrite(client, "a write after the CA bundle was replaced");
    }

    /**
     * A client certificate and key replaced on disk, one after the other as a rotation may do,
     * serve the next connection of the same client.
     */
    @Test
    void aRotatedClientCertificateServesTheNextConnectionWithoutARestart(@TempDir Path tmp) throws Exception {
        Path cert = tmp.resolve("client.pem");
        Path key = tmp.resolve("client-key.pem");
        replace(cluster.otherClientCert(), cert);
        replace(cluster.otherClientKey(), key);
        EtcdClient client = open(EtcdClient.connect(cluster.settings().withTls(new EtcdTls(cluster.caFile(), cert, key))
                .withCallTimeout(Duration.ofSeconds(4))));
        assertThatThrownBy(() -> client.get(prefix + "a")).hasMessageContaining("client certificate");
        replace(cluster.clientCert(), cert);
        replace(cluster.clientKey(), key);
        awaitWrite(client, "a write after the client certificate was replaced");
    }

    private void awaitWrite(EtcdClient client, String what) throws InterruptedException {
        await(() -> {
            try {
                client.put(prefix + "a", bytes("rotated"));
                return true;
            } catch (EtcdException e) {
                return false;
            }
        }, Duration.ofSeconds(15), what);
        assertThat(client.get(prefix + "a").orElseThrow().valueUtf8()).isEqualTo("rotated");
    }

    /** Replaces the file as a rotation does: written aside, then moved over it. */
    private static void replace(Path from, Path to) throws IOException {
        Path aside = to.resolveSibling(to.getFileName() + ".new");
        Files.copy(from, aside, StandardCopyOption.REPLACE_EXISTING);
        Files.move(aside, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aWrongPasswordIsRefusedAtOnceNamingTheUserButNotThePassword() {
        String wrong = SecretScan.randomSecret();
        SecretScan scan = SecretScan.of().password("wrong password", wrong).password("right password", cluster.password().reveal());
        try (OutputCapture out = OutputCapture.start()) {
            EtcdSettings settings = cluster.settings().withAuth(new EtcdAuth(cluster.user(), Secret.of(wrong)));
            long start = System.nanoTime();
            Throwable thrown;
            try (EtcdClient client = EtcdClient.connect(settings)) {
                thrown = org.assertj.core.api.Assertions.catchThrowable(() -> client.grant(Duration.ofSeconds(5)));
            }
            assertThat(thrown).isInstanceOf(EtcdException.class)
                    .hasMessageContaining("authentication of user '" + cluster.user() + "'")
                    .hasMessageContaining("invalid user ID or password");
            assertThat(((EtcdException) thrown).kind()).isEqualTo(EtcdException.Kind.REFUSED);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a refusal is not retried until the deadline")
                    .isLessThan(EtcdSettings.DEFAULT_CALL_TIMEOUT);
            scan.assertClean("the exception", SecretScan.chain(thrown) + "\n" + settings);
            scan.assertClean("the log", out.text());
        }
    }

    /**
     * etcd's simple tokens expire after --auth-token-ttl unused; a replica whose only traffic is
     * its lease's keep-alive (which etcd 3.4 does not check) holds an expired token when it next
     * writes. The write must pass with a new token, and the lease must live on throughout.
     */
    @Test
    void anExpiredTokenIsRenewedForTheNextCallAndTheLeaseLivesOn() throws Exception {
        EtcdClient client = open(EtcdClient.connect(cluster.settings()));
        client.put(prefix + "before", bytes("1"));
        List<State> states = new CopyOnWriteArrayList<>();
        LeaseKeeper keeper = open(client.keepAlive(Duration.ofSeconds(2), (k, from, to, reason) -> states.add(to)));
        long renewalsBefore = keeper.renewals();

        Thread.sleep(EtcdCluster.TOKEN_TTL.plusMillis(1500));

        client.put(prefix + "after", bytes("2"), keeper.id());
        assertThat(client.tokensObtained()).as("a second token after etcd dropped the first").isEqualTo(2);
        assertThat(client.get(prefix + "after").orElseThrow().lease()).isEqualTo(keeper.id());
        assertThat(keeper.state()).isEqualTo(State.VALID);
        assertThat(keeper.renewals()).isGreaterThan(renewalsBefore + 3);
        assertThat(states).as("lease state changes").isEmpty();
    }

    /**
     * Tokens revoked on every member (auth disabled and enabled again): calls, a watch that moves to
     * another member (etcd checks the token when a watch is created) and the keep-alive stream
     * carry on with a new token; no event is lost and the lease stays valid.
     */
    @Test
    void revokedTokensAreRenewedForCallsWatchesAndTheKeepAliveStream() throws Exception {
        int first = cluster.follower();
        EtcdClient client = open(EtcdClient.connect(cluster.settings(cluster.endpointsStartingWith(first))
                .withWatchProbe(Duration.ofMillis(500))));
        List<State> states = new CopyOnWriteArrayList<>();
        LeaseKeeper keeper = open(client.keepAlive(Duration.ofSeconds(3), (k, from, to, reason) -> states.add(to)));
        List<String> seen = new CopyOnWriteArrayList<>();
        Watch watch = open(client.watch(prefix, 0, new Watch.Listener() {
            @Override
            public void events(List<WatchEvent> events, long revision) {
                events.forEach(e -> seen.add(new String(e.entry().value(), StandardCharsets.UTF_8)));
            }

            @Override
            public void compacted(long compactRevision) {
                seen.add("compacted");
            }
        }));
        await(() -> watch.nextRevision() > 0, Duration.ofSeconds(5), "the watch to start");
        client.put(prefix + "k", bytes("v1"));
        await(() -> seen.contains("v1"), Duration.ofSeconds(5), "v1 watched");
        assertThat(client.tokensObtained()).isEqualTo(1);

        cluster.revokeTokens();
        client.put(prefix + "k", bytes("v2"));
        assertThat(client.tokensObtained()).as("a new token for the put after the revocation").isEqualTo(2);
        await(() -> seen.contains("v2"), Duration.ofSeconds(5), "v2 watched");

        // Revoked again, and the members the streams go to killed: the streams move on with the
        // revoked token, etcd cancels the new watch for it, and the watch resumes with a new one.
        cluster.revokeTokens();
        int watchMember = cluster.memberOf(watch.streamMember());
        cluster.kill(watchMember);
        await(() -> !watch.streamMember().isEmpty() && cluster.memberOf(watch.streamMember()) != watchMember
                && watch.starts() >= 2, Duration.ofSeconds(10), "the watch to move off member " + watchMember);
        try (EtcdClient writer = EtcdClient.connect(cluster.settings(cluster.endpointsStartingWith(watchMember % EtcdCluster.MEMBERS + 1)))) {
            writer.put(prefix + "k", bytes("v3"));
        }
        await(() -> seen.contains("v3"), Duration.ofSeconds(10), "v3 watched after the watch resumed");
        assertThat(seen).containsExactly("v1", "v2", "v3");
        assertThat(client.tokensObtained()).isGreaterThanOrEqualTo(3);

        long renewals = keeper.renewals();
        await(() -> keeper.renewals() > renewals + 2, Duration.ofSeconds(10), "renewals after the revocations");
        assertThat(keeper.state()).isEqualTo(State.VALID);
        assertThat(states).as("lease states").doesNotContain(State.LOST);
        assertThat(client.timeToLive(keeper.id())).isPresent();
    }

    private static void await(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
