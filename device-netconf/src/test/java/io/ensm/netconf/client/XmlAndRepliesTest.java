package io.ensm.netconf.client;

import io.ensm.core.spi.Secret;
import org.junit.jupiter.api.Test;
import org.xml.sax.SAXException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XmlAndRepliesTest {

    @Test
    void externalEntitiesAndDoctypesAreRefused() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><rpc-reply>&e;</rpc-reply>";
        assertThatThrownBy(() -> Xml.parse(xxe.getBytes(StandardCharsets.UTF_8))).isInstanceOf(SAXException.class)
                .hasMessageContaining("DOCTYPE");
    }

    @Test
    void rpcErrorsAreParsedWithAllFieldsAndWarningsAreNotFailures() throws Exception {
        String reply = "<rpc-reply message-id=\"5\" xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
                + "<rpc-error><error-type>protocol</error-type><error-tag>lock-denied</error-tag>"
                + "<error-severity>error</error-severity><error-app-tag>no-access</error-app-tag>"
                + "<error-message xml:lang=\"en\">lock denied</error-message>"
                + "<error-info><session-id>63</session-id></error-info></rpc-error>"
                + "<rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag>"
                + "<error-severity>warning</error-severity></rpc-error></rpc-reply>";
        RpcReply r = RpcReply.parse(Xml.parse(reply));
        assertThat(r.messageId()).isEqualTo("5");
        assertThat(r.ok()).isFalse();
        RpcError e = r.errors().getFirst();
        assertThat(e).isEqualTo(new RpcError("protocol", "lock-denied", "error", Optional.of("no-access"), Optional.empty(),
                Optional.of("lock denied"), java.util.Map.of("session-id", "63")));
        assertThat(e.describe()).isEqualTo("lock denied (protocol lock-denied, no-access, session-id=63)");
        RpcReply onlyWarning = RpcReply.parse(Xml.parse(reply.replaceFirst("(?s)<rpc-error>.*?</rpc-error>", "")));
        assertThat(onlyWarning.ok()).isTrue();
    }

    @Test
    void dataIsSerializedWithItsNamespaces() throws Exception {
        String reply = "<nc:rpc-reply message-id=\"1\" xmlns:nc=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
                + "<nc:data><interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\"><interface><name>a&amp;b</name>"
                + "</interface></interfaces></nc:data></nc:rpc-reply>";
        String data = RpcReply.parse(Xml.parse(reply)).dataXml();
        var reparsed = Xml.parse(data).getDocumentElement();
        assertThat(reparsed.getNamespaceURI()).isEqualTo(Xml.NETCONF_BASE);
        assertThat(reparsed.getElementsByTagNameNS("urn:ietf:params:xml:ns:yang:ietf-interfaces", "name").item(0).getTextContent())
                .isEqualTo("a&b");
    }

    @Test
    void helloNeedsASessionIdAndABaseCapability() {
        assertThatThrownBy(() -> Hello.parse(Xml.parse("<hello xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><capabilities>"
                + "<capability>urn:ietf:params:netconf:base:1.1</capability></capabilities></hello>")))
                .isInstanceOf(NetconfProtocolException.class).hasMessageContaining("no session-id");
        assertThatThrownBy(() -> Hello.parse(Xml.parse("<hello xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><capabilities>"
                + "<capability>urn:x</capability></capabilities><session-id>3</session-id></hello>")))
                .isInstanceOf(NetconfProtocolException.class).hasMessageContaining("neither base:1.0 nor base:1.1");
    }

    @Test
    void capabilityParametersAreIgnoredWhenMatching() {
        Hello h = new Hello(1, java.util.Set.of("urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit"));
        assertThat(h.has("urn:ietf:params:netconf:capability:with-defaults:1.0")).isTrue();
        assertThat(h.has("urn:ietf:params:netconf:capability:with-defaults")).isFalse();
    }

    @Test
    void textIsEscapedForElementsAndAttributes() {
        assertThat(Xml.escape("a<b>&\"c'")).isEqualTo("a&lt;b&gt;&amp;&quot;c&apos;");
        assertThat(Xml.escape("plain")).isSameAs("plain");
    }

    @Test
    void passwordsNeverPrint() {
        Secret s = Secret.of("hunter2");
        ConnectSpec spec = new ConnectSpec("r1", "h", 830, "u", s, (h, p, k) -> Optional.empty(),
                new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThat(s.toString()).doesNotContain("hunter2");
        assertThat(spec.toString()).doesNotContain("hunter2").contains("r1", "u@h:830");
        assertThat(s.reveal()).isEqualTo("hunter2");
    }

    @Test
    void operationNamesComeFromTheFirstElement() {
        assertThat(NetconfSession.operationName("<edit-config><target/></edit-config>")).isEqualTo("edit-config");
        assertThat(NetconfSession.operationName("<nc:commit/>")).isEqualTo("commit");
        assertThat(NetconfSession.operationName("<lock><target>")).isEqualTo("lock");
    }
}
