package io.ensm.netconf.client;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Session behaviour on faults a real device does not produce on demand, with a scripted peer. */
class NetconfSessionTest {
    private static final Set<String> CAPS = Set.of(Capability.BASE_1_0, Capability.BASE_1_1, Capability.CANDIDATE);

    @Test
    void messageIdsAreMatchedAndIncrease() throws Exception {
        ScriptedDevice device = new ScriptedDevice(CAPS, op -> "<ok/>");
        NetconfSession s = device.connect(Duration.ofSeconds(1));
        assertThat(s.rpc("<lock><target><candidate/></target></lock>").messageId()).isEqualTo("1");
        assertThat(s.rpc("<unlock><target><candidate/></target></unlock>").messageId()).isEqualTo("2");
        assertThat(s.sessionId()).isEqualTo(42);
        assertThat(device.operations()).containsExactly("<lock><target><candidate/></target></lock>",
                "<unlock><target><candidate/></target></unlock>");
    }

    @Test
    void aReplyForAnotherMessageIdEndsTheSession() throws Exception {
        ScriptedDevice device = new ScriptedDevice(CAPS, op -> "<ok/>");
        NetconfSession s = device.connect(Duration.ofSeconds(1));
        device.forcedMessageId = "999";
        assertThatThrownBy(() -> s.rpc("<commit/>")).isInstanceOf(NetconfException.Unreachable.class)
                .hasMessageContaining("device scripted: commit: reply carries message-id '999', expected '1'");
        assertThat(s.isOpen()).isFalse();
        assertThat(device.closed()).isTrue();
    }

    @Test
    void silenceIsABoundedWaitThatNamesDeviceAndOperationAndEndsTheSession() throws Exception {
        ScriptedDevice device = new ScriptedDevice(CAPS, op -> op.startsWith("<commit") ? null : "<ok/>");
        NetconfSession s = device.connect(Duration.ofSeconds(1));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> s.rpc("<commit/>", Duration.ofMillis(200)))
                .isInstanceOfSatisfying(NetconfException.Unreachable.class, e -> {
                    assertThat(e.device()).isEqualTo("scripted");
                    assertThat(e.step()).isEqualTo("commit");
                    assertThat(e.getMessage()).contains("no reply within 200 ms");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(s.isOpen()).isFalse();
        assertThatThrownBy(() -> s.rpc("<lock/>")).isInstanceOf(NetconfException.Unreachable.class)
                .hasMessageContaining("session is closed");
    }

    @Test
    void notificationsBetweenRepliesAreSkipped() throws Exception {
        ScriptedDevice device = new ScriptedDevice(CAPS, op -> "<data><x xmlns=\"urn:x\">1</x></data>");
        NetconfSession s = device.connect(Duration.ofSeconds(1));
        String n = "<notification xmlns=\"urn:ietf:params:xml:ns:netconf:notification:1.0\"><eventTime>2025-01-01T00:00:00Z</eventTime></notification>";
        device.injectBeforeReply = FrameEncoder.frame(n.getBytes(StandardCharsets.UTF_8), true);
        RpcReply reply = s.rpc("<get/>");
        assertThat(reply.ok()).isTrue();
        assertThat(reply.dataXml()).contains("<x xmlns=\"urn:x\">1</x>");
    }

    @Test
    void aBrokenFrameEndsTheSessionWithTheFramingError() throws Exception {
        ScriptedDevice device = new ScriptedDevice(CAPS, op -> "<ok/>");
        NetconfSession s = device.connect(Duration.ofSeconds(1));
        device.injectBeforeReply = "\n#zz\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> s.rpc("<get/>")).isInstanceOf(NetconfException.Unreachable.class)
                .hasMessageContaining("chunk size must start with a digit");
        assertThat(s.isOpen()).isFalse();
    }

    @Test
    void baseOneZeroDevicesKeepEndOfMessageFraming() throws Exception {
        ScriptedDevice device = new ScriptedDevice(Set.of(Capability.BASE_1_0), op -> "<ok/>");
        NetconfSession s = device.connect(Duration.ofSeconds(1));
        assertThat(s.rpc("<lock/>").ok()).isTrue();
        assertThat(s.lastMessageChunks()).isZero();
    }

    @Test
    void aDeviceThatClosesDuringAnRpcGivesUnreachable() throws Exception {
        ScriptedDevice[] self = new ScriptedDevice[1];
        self[0] = new ScriptedDevice(CAPS, op -> {
            self[0].close();
            return null;
        });
        NetconfSession s = self[0].connect(Duration.ofSeconds(5));
        assertThatThrownBy(() -> s.rpc("<commit/>")).isInstanceOf(NetconfException.Unreachable.class)
                .hasMessageContaining("session ended: scripted device closed");
    }

    @Test
    void pipelinedRpcsGoInOneWriteAndTheirRepliesComeBackInOrder() throws Exception {
        ScriptedDevice device = new ScriptedDevice(CAPS, op -> op.startsWith("<lock")
                ? ScriptedDevice.error("protocol", "lock-denied", "held") : "<ok/>");
        NetconfSession s = device.connect(Duration.ofSeconds(1));
        int before = device.writes();

        List<RpcReply> replies = s.pipeline(List.of("<commit/>", "<lock><target><candidate/></target></lock>", "<unlock/>"),
                List.of("commit", "lock", "unlock"));

        assertThat(device.writes() - before).isEqualTo(1);
        assertThat(replies).extracting(RpcReply::messageId).containsExactly("1", "2", "3");
        assertThat(replies).extracting(RpcReply::ok).containsExactly(true, false, true);
        assertThat(replies.get(1).errors()).singleElement().satisfies(e -> assertThat(e.tag()).isEqualTo("lock-denied"));
        assertThat(s.rpc("<get-config/>").messageId()).isEqualTo("4");
    }

    @Test
    void silenceInTheMiddleOfAPipelineNamesThatOperationAndEndsTheSession() throws Exception {
        ScriptedDevice device = new ScriptedDevice(CAPS, op -> op.startsWith("<commit") ? "<ok/>" : null);
        NetconfSession s = device.connect(Duration.ofMillis(300));

        assertThatThrownBy(() -> s.pipeline(List.of("<commit/>", "<get-config/>", "<unlock/>"),
                List.of("commit", "read-back", "unlock")))
                .isInstanceOfSatisfying(NetconfException.Unreachable.class, e -> {
                    assertThat(e.step()).isEqualTo("read-back");
                    assertThat(e.getMessage()).isEqualTo("device scripted: read-back: no reply within 300 ms; session closed");
                });
        assertThat(s.isOpen()).isFalse();
    }

    @Test
    void aSkippedReplyInAPipelineNamesTheOperationWhoseReplyIsMissing() throws Exception {
        ScriptedDevice device = new ScriptedDevice(CAPS, op -> op.startsWith("<get-config") ? null : "<ok/>");
        NetconfSession s = device.connect(Duration.ofSeconds(1));

        assertThatThrownBy(() -> s.pipeline(List.of("<commit/>", "<get-config/>", "<unlock/>"),
                List.of("commit", "read-back", "unlock")))
                .isInstanceOf(NetconfException.Unreachable.class)
                .hasMessage("device scripted: read-back: reply carries message-id '3', expected '2'; session closed");
        assertThat(s.isOpen()).isFalse();
    }

    @Test
    void withEndOfMessageFramingAPipelineSendsOneRpcAtATime() throws Exception {
        ScriptedDevice device = new ScriptedDevice(Set.of(Capability.BASE_1_0, Capability.CANDIDATE), op -> "<ok/>");
        NetconfSession s = device.connect(Duration.ofSeconds(1));
        int before = device.writes();

        List<RpcReply> replies = s.pipeline(List.of("<commit/>", "<unlock/>"), List.of("commit", "unlock"));

        assertThat(replies).extracting(RpcReply::messageId).containsExactly("1", "2");
        assertThat(device.writes() - before).isEqualTo(2);
    }
}
