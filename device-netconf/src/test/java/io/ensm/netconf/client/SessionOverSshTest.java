package io.ensm.netconf.client;

import io.ensm.netconf.client.Rpcs.Datastore;
import io.ensm.netconf.session.HostKeyPolicy;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.TestSubInterfaceCodec;
import io.ensm.netconf.testbed.TestSubInterfaceCodec.Found;
import io.ensm.netconf.testbed.UsesNetconfTestbed;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client against real netconfd devices behind OpenSSH. */
@UsesNetconfTestbed(devices = 2)
class SessionOverSshTest {
    private static final String IF = "urn:ietf:params:xml:ns:yang:ietf-interfaces";

    private final NetconfTestbed bed;
    private final SshConnector connector = new SshConnector();

    SessionOverSshTest(NetconfTestbed bed) {
        this.bed = bed;
    }

    @AfterEach
    void closeConnector() {
        connector.close();
    }

    private ConnectSpec spec(int device, HostKeyCheck hostKeys) throws IOException {
        NetconfTestbed.Device d = bed.device(device);
        Secret password = Secret.of(Files.readString(d.passwordFile()).strip());
        return new ConnectSpec(d.name(), d.host(), d.port(), d.username(), password, hostKeys, Timeouts.DEFAULTS);
    }

    private ConnectSpec spec(int device) throws IOException {
        return spec(device, new HostKeyPolicy.KnownHosts(bed.device(device).knownHosts()));
    }

    @Test
    void helloNegotiatesChunkedFramingAndReportsCapabilities() throws Exception {
        try (NetconfSession s = connector.connect(spec(1))) {
            assertThat(s.sessionId()).isPositive();
            assertThat(s.supports(Capability.BASE_1_1)).isTrue();
            assertThat(s.supports(Capability.CANDIDATE)).isTrue();
            assertThat(s.supports(Capability.CONFIRMED_COMMIT_1_1)).isTrue();
            assertThat(s.supports(Capability.ROLLBACK_ON_ERROR)).isTrue();
            assertThat(s.hello().capabilities())
                    .anyMatch(c -> c.startsWith("urn:ensm:params:xml:ns:yang:ensm-if-vlan-encapsulation?module=ensm-if-vlan-encapsulation"));
            // Chunked framing is in use from here on: the request is sent as a chunk, and a reply
            // many times the server's ~2 KB chunk size is reassembled into one document.
            RpcReply reply = s.rpc("<get><filter type=\"subtree\"><modules-state xmlns=\"urn:ietf:params:xml:ns:yang:ietf-yang-library\"/></filter></get>");
            assertThat(reply.ok()).isTrue();
            String data = reply.dataXml();
            assertThat(data.length()).isGreaterThan(5_000);
            assertThat(s.lastMessageChunks()).isGreaterThan(1);
            assertThat(data).contains("<name>ensm-if-vlan-encapsulation</name>", "<name>ietf-if-extensions</name>");
        }
    }

    @Test
    void rpcErrorIsParsedIntoTypeTagSeverityPathMessageAndInfo() throws Exception {
        try (NetconfSession s = connector.connect(spec(1))) {
            String bad = "<interfaces xmlns=\"" + IF + "\">"
                    + new io.ensm.netconf.testbed.TestSubInterface("eth1", 5000, "172.16.9.1", 31, "bad").xml() + "</interfaces>";
            RpcReply reply = s.rpc(Rpcs.editConfig(Datastore.CANDIDATE, bad, true));
            assertThat(reply.ok()).isFalse();
            RpcError e = reply.errors().getFirst();
            assertThat(e.type()).isEqualTo("protocol");
            assertThat(e.tag()).isEqualTo("invalid-value");
            assertThat(e.severity()).isEqualTo("error");
            assertThat(e.appTag()).contains("not-in-range");
            assertThat(e.path()).hasValueSatisfying(p -> assertThat(p).contains("eth1.5000").endsWith("vlan-id"));
            assertThat(e.message()).contains("value not in range");
            assertThat(e.info()).containsEntry("bad-value", "5000");
            assertThat(s.rpc(Rpcs.discardChanges()).ok()).isTrue();
        }
    }

    @Test
    void theSampleSubInterfaceCommitsAndAnIndependentReadShowsIt() throws Exception {
        String sample;
        try (InputStream in = getClass().getResourceAsStream("/samples/ietf-subinterface.xml")) {
            sample = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (NetconfSession s = connector.connect(spec(2))) {
            assertThat(s.rpc(Rpcs.lock(Datastore.CANDIDATE)).ok()).isTrue();
            RpcReply edit = s.rpc(Rpcs.editConfig(Datastore.CANDIDATE, sample, true));
            assertThat(edit.errors()).isEmpty();
            assertThat(s.rpc(Rpcs.commit()).ok()).isTrue();

            Found found = TestSubInterfaceCodec.parse(bed.independentInterfaces(2)).get("eth1.100");
            assertThat(found).isEqualTo(new Found("ensm:conn-1", "100", "172.16.0.1"));
            String raw = bed.independentGetConfig(2, "<interfaces xmlns=\"" + IF + "\"><interface><name>eth1.100</name></interface></interfaces>");
            assertThat(raw).contains("<parent-interface xmlns=\"urn:ietf:params:xml:ns:yang:ietf-if-extensions\">eth1</parent-interface>",
                    "<tag-type>c-vlan</tag-type>", "<prefix-length>31</prefix-length>", "<mtu>1500</mtu>", "if-ext:ethSubInterface");

            String remove = "<interfaces xmlns=\"" + IF + "\"><interface xmlns:nc=\"" + Xml.NETCONF_BASE
                    + "\" nc:operation=\"remove\"><name>eth1.100</name></interface></interfaces>";
            assertThat(s.rpc(Rpcs.editConfig(Datastore.CANDIDATE, remove, true)).ok()).isTrue();
            assertThat(s.rpc(Rpcs.commit()).ok()).isTrue();
            assertThat(s.rpc(Rpcs.unlock(Datastore.CANDIDATE)).ok()).isTrue();
            assertThat(TestSubInterfaceCodec.parse(bed.independentInterfaces(2))).doesNotContainKey("eth1.100")
                    .containsKeys("eth1", "eth1.4000");
        }
    }

    /**
     * netconfd takes several chunked RPCs from one write and answers each in order; a refused one
     * in the middle leaves the others as they would be alone.
     */
    @Test
    void netconfdAnswersPipelinedRpcsInOrderAndARefusalInTheMiddleStaysAlone() throws Exception {
        try (NetconfSession holder = connector.connect(spec(1)); NetconfSession s = connector.connect(spec(1))) {
            assertThat(holder.rpc(Rpcs.lock(Datastore.CANDIDATE)).ok()).isTrue();
            String filter = "<interfaces xmlns=\"" + IF + "\"><interface><name>eth1.4000</name></interface></interfaces>";

            List<RpcReply> replies = s.pipeline(List.of(Rpcs.ping(), Rpcs.lock(Datastore.CANDIDATE),
                    Rpcs.getConfig(Datastore.RUNNING, filter), Rpcs.ping()), List.of("ping", "lock", "read", "ping"));

            assertThat(replies).extracting(RpcReply::ok).containsExactly(true, false, true, true);
            assertThat(replies.get(1).errors().getFirst().tag()).isEqualTo("lock-denied");
            assertThat(replies.get(1).errors().getFirst().info()).containsEntry("session-id", Long.toString(holder.sessionId()));
            assertThat(replies.get(2).dataXml()).contains("<name>eth1.4000</name>");
            assertThat(replies).extracting(RpcReply::messageId).isSorted().doesNotHaveDuplicates();
            assertThat(s.rpc(Rpcs.ping()).ok()).isTrue();
            assertThat(holder.rpc(Rpcs.unlock(Datastore.CANDIDATE)).ok()).isTrue();
        }
    }

    /**
     * Why ensm pauses after its hello and checks the first RPC: netconfd never answers a session
     * whose first RPC arrives in the same read as the client's hello.
     */
    @Test
    void netconfdIgnoresAnRpcThatArrivesTogetherWithTheHello() throws Exception {
        NetconfTestbed.Device d = bed.device(1);
        String hello = new String(Hello.client(), StandardCharsets.UTF_8) + "]]>]]>";
        String rpc = "<rpc message-id=\"1\" xmlns=\"" + Xml.NETCONF_BASE + "\">" + Rpcs.ping() + "</rpc>";
        String chunk = "\n#" + rpc.length() + "\n" + rpc + "\n##\n";
        HostKeyPolicy keys = new HostKeyPolicy.KnownHosts(d.knownHosts());
        org.apache.sshd.client.SshClient client = org.apache.sshd.client.SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, remote, key) -> keys.refusal(d.host(), d.port(), key).isEmpty());
        client.start();
        try {
            assertThat(answered(client, d, hello + chunk, null)).as("hello and RPC in one write").isFalse();
            assertThat(answered(client, d, hello, chunk)).as("hello, pause, RPC").isTrue();
        } finally {
            client.stop();
        }
    }

    private static boolean answered(org.apache.sshd.client.SshClient client, NetconfTestbed.Device d, String first, String second)
            throws Exception {
        try (var ssh = client.connect(d.username(), d.host(), d.port()).verify(10_000).getSession()) {
            ssh.addPasswordIdentity(Files.readString(d.passwordFile()).strip());
            ssh.auth().verify(10_000);
            var channel = ssh.createSubsystemChannel("netconf");
            java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            channel.setOut(new java.io.OutputStream() {
                @Override
                public synchronized void write(int b) {
                    received.write(b);
                }

                @Override
                public synchronized void write(byte[] b, int off, int len) {
                    received.write(b, off, len);
                }
            });
            channel.open().verify(10_000);
            waitFor(received, "</hello>", 10_000);
            var in = channel.getInvertedIn();
            in.write(first.getBytes(StandardCharsets.UTF_8));
            in.flush();
            if (second != null) {
                Thread.sleep(200);
                in.write(second.getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
            return waitFor(received, "rpc-reply", 3_000);
        }
    }

    private static boolean waitFor(java.io.ByteArrayOutputStream received, String text, long ms) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < deadline) {
            synchronized (received) {
                if (received.toString(StandardCharsets.UTF_8).contains(text)) {
                    return true;
                }
            }
            Thread.sleep(10);
        }
        return false;
    }

    @Test
    void closedPortIsUnreachableNamingTheDevice() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ConnectSpec spec = spec(1);
        ConnectSpec closed = new ConnectSpec("router-x", "127.0.0.1", port, spec.username(), spec.password(),
                spec.hostKeyCheck(), spec.timeouts());
        assertThatThrownBy(() -> connector.connect(closed))
                .isInstanceOfSatisfying(NetconfException.Unreachable.class, e -> {
                    assertThat(e.getMessage()).contains("router-x", "connect", "127.0.0.1:" + port, "connection refused");
                    assertThat(e.toBackendException().kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
                });
    }

    @Test
    void wrongPasswordIsDeniedWithoutRevealingIt() throws Exception {
        ConnectSpec good = spec(1);
        ConnectSpec wrong = new ConnectSpec(good.device(), good.host(), good.port(), good.username(),
                Secret.of("not-the-password-42"), good.hostKeyCheck(), good.timeouts());
        assertThatThrownBy(() -> connector.connect(wrong))
                .isInstanceOfSatisfying(NetconfException.Denied.class, e -> {
                    assertThat(e.step()).isEqualTo("authenticate");
                    assertThat(e.getMessage()).contains(good.device(), "password refused for user " + good.username())
                            .doesNotContain("not-the-password-42");
                    assertThat(e.kind()).isEqualTo(BackendException.Kind.DENIED);
                });
    }

    @Test
    void unknownHostKeyIsDeniedNamingItsFingerprint(@TempDir Path tmp) throws Exception {
        Path empty = Files.createFile(tmp.resolve("known_hosts"));
        assertThatThrownBy(() -> connector.connect(spec(1, new HostKeyPolicy.KnownHosts(empty))))
                .isInstanceOfSatisfying(NetconfException.Denied.class, e -> {
                    assertThat(e.step()).isEqualTo("host key");
                    assertThat(e.getMessage()).contains(bed.device(1).hostKeySha256(), "is not in " + empty);
                });
    }

    @Test
    void pinnedFingerprintIsAcceptedAndAnyOtherRefused() throws Exception {
        try (NetconfSession s = connector.connect(spec(1, new HostKeyPolicy.Pinned(bed.device(1).hostKeySha256())))) {
            assertThat(s.isOpen()).isTrue();
        }
        // Device 2's fingerprint pinned for device 1: another key, refused.
        assertThatThrownBy(() -> connector.connect(spec(1, new HostKeyPolicy.Pinned(bed.device(2).hostKeySha256()))))
                .isInstanceOfSatisfying(NetconfException.Denied.class,
                        e -> assertThat(e.getMessage()).contains("does not match the pinned " + bed.device(2).hostKeySha256()));
    }

    @Test
    void acceptNewLearnsAnUnknownKeyButRefusesAChangedOne(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("known_hosts");
        try (NetconfSession s = connector.connect(spec(1, new HostKeyPolicy.AcceptNew(file)))) {
            assertThat(s.isOpen()).isTrue();
        }
        assertThat(Files.readString(file)).startsWith("[127.0.0.1]:" + bed.device(1).port() + " ssh-ed25519 ");
        try (NetconfSession s = connector.connect(spec(1, new HostKeyPolicy.KnownHosts(file)))) {
            assertThat(s.isOpen()).isTrue();
        }
        // The file now claims device 2's key for device 1's address: a changed key.
        String device2Key = Files.readString(bed.device(2).knownHosts()).split(" ", 2)[1];
        Files.writeString(file, "[127.0.0.1]:" + bed.device(1).port() + " " + device2Key);
        assertThatThrownBy(() -> connector.connect(spec(1, new HostKeyPolicy.AcceptNew(file))))
                .isInstanceOfSatisfying(NetconfException.Denied.class,
                        e -> assertThat(e.getMessage()).contains("differs from the known " + bed.device(2).hostKeySha256()));
    }
}
