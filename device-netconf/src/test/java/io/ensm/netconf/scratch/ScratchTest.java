package io.ensm.netconf.scratch;

import io.ensm.netconf.client.*;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

class ScratchTest {
    static final String IF = "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\">";
    static String sub(String name, String parent, int vlan) {
        return "<interface><name>" + name + "</name><description>ensm:x</description><type xmlns:if-ext=\"urn:ietf:params:xml:ns:yang:ietf-if-extensions\">if-ext:ethSubInterface</type><parent-interface xmlns=\"urn:ietf:params:xml:ns:yang:ietf-if-extensions\">" + parent + "</parent-interface>"
            + "<encapsulation xmlns=\"urn:ietf:params:xml:ns:yang:ietf-if-extensions\"><dot1q-vlan xmlns=\"urn:ensm:params:xml:ns:yang:ensm-if-vlan-encapsulation\"><outer-tag><vlan-id>" + vlan + "</vlan-id></outer-tag></dot1q-vlan></encapsulation></interface>";
    }
    static void p(String what, RpcReply r) {
        System.out.println("== " + what + " ok=" + r.ok());
        r.errors().forEach(e -> System.out.println("   " + e));
    }

    @Test
    void scratch() throws Exception {
        String pw = Files.readString(Path.of("/tmp/tb1/password")).strip();
        try (SshConnector c = new SshConnector()) {
            ConnectSpec spec = new ConnectSpec("d1", "127.0.0.1", 18300, "ensm-netconf", new Secret(pw.toCharArray()),
                    (h, p, k) -> Optional.empty(), Timeouts.DEFAULTS);
            NetconfSession s = c.connect(spec);
            NetconfSession s2 = c.connect(spec);
            p("lock", s.rpc("<lock><target><candidate/></target></lock>"));
            p("lock by s2", s2.rpc("<lock><target><candidate/></target></lock>"));
            p("edit by s2 while locked", s2.rpc("<edit-config><target><candidate/></target><config>" + IF + sub("eth1.9", "eth1", 9) + "</interfaces></config></edit-config>"));
            p("edit bad parent", s.rpc("<edit-config><target><candidate/></target><error-option>rollback-on-error</error-option><config>" + IF + sub("eth9.5", "eth9", 5) + "</interfaces></config></edit-config>"));
            p("commit", s.rpc("<commit><confirmed/><confirm-timeout>30</confirm-timeout></commit>"));
            p("discard", s.rpc("<discard-changes/>"));
            p("edit 2 good + 1 bad range rollback-on-error", s.rpc("<edit-config><target><candidate/></target><error-option>rollback-on-error</error-option><config>" + IF + sub("eth1.10", "eth1", 10) + sub("eth1.5000", "eth1", 5000) + sub("eth1.11", "eth1", 11) + "</interfaces></config></edit-config>"));
            p("get candidate", s.rpc("<get-config><source><candidate/></source><filter type=\"subtree\">" + IF + "<interface><name>eth1.10</name></interface></interfaces></filter></get-config>"));
            System.out.println(s.rpc("<get-config><source><candidate/></source><filter type=\"subtree\">" + IF + "<interface><name>eth1.10</name></interface></interfaces></filter></get-config>").dataXml());
            p("edit missing vlan-id (mandatory)", s.rpc("<edit-config><target><candidate/></target><error-option>rollback-on-error</error-option><config>" + IF + "<interface><name>eth1.12</name><type xmlns:if-ext=\"urn:ietf:params:xml:ns:yang:ietf-if-extensions\">if-ext:ethSubInterface</type><parent-interface xmlns=\"urn:ietf:params:xml:ns:yang:ietf-if-extensions\">eth1</parent-interface><encapsulation xmlns=\"urn:ietf:params:xml:ns:yang:ietf-if-extensions\"><dot1q-vlan xmlns=\"urn:ensm:params:xml:ns:yang:ensm-if-vlan-encapsulation\"><outer-tag/></dot1q-vlan></encapsulation></interface></interfaces></config></edit-config>"));
            p("commit", s.rpc("<commit><confirmed/><confirm-timeout>30</confirm-timeout></commit>"));
            p("discard", s.rpc("<discard-changes/>"));
            p("unlock", s.rpc("<unlock><target><candidate/></target></unlock>"));
            p("s2 edit without lock (dirty)", s2.rpc("<edit-config><target><candidate/></target><config>" + IF + sub("eth1.13", "eth1", 13) + "</interfaces></config></edit-config>"));
            p("lock while dirty", s.rpc("<lock><target><candidate/></target></lock>"));
            p("s discard", s.rpc("<discard-changes/>"));
            p("lock after discard", s.rpc("<lock><target><candidate/></target></lock>"));
            p("ping", s.rpc("<get-config><source><running/></source><filter type=\"subtree\"/></get-config>"));
            System.out.println(s.rpc("<get-config><source><running/></source><filter type=\"subtree\"/></get-config>").dataXml());
            p("remove absent", s.rpc("<edit-config><target><candidate/></target><config>" + IF + "<interface xmlns:nc=\"urn:ietf:params:xml:ns:netconf:base:1.0\" nc:operation=\"remove\"><name>eth1.77</name></interface></interfaces></config></edit-config>"));
            p("commit", s.rpc("<commit/>"));
            p("cancel-commit none", s.rpc("<cancel-commit/>"));
            p("kill s2", s.rpc("<kill-session><session-id>" + s2.sessionId() + "</session-id></kill-session>"));
            Thread.sleep(300);
            System.out.println("s2 open " + s2.isOpen());
            p("unlock", s.rpc("<unlock><target><candidate/></target></unlock>"));
            s.close();
        }
    }
}
