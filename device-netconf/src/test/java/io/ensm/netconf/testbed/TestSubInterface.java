package io.ensm.netconf.testbed;

/**
 * A VLAN sub-interface as the tests write it with the ietf modules and ensm's VLAN module (the
 * same shape as samples/ietf-subinterface.xml). The drivers own the product rendering; this is
 * the transaction layer's test item.
 */
public record TestSubInterface(String parent, int vlan, String ipv4, int prefixLength, String marker) {

    public String name() {
        return parent + "." + vlan;
    }

    public String xml() {
        return "<interface><name>" + name() + "</name><description>ensm:" + marker + "</description>"
                + "<type xmlns:if-ext=\"urn:ietf:params:xml:ns:yang:ietf-if-extensions\">if-ext:ethSubInterface</type>"
                + "<enabled>true</enabled>"
                + "<parent-interface xmlns=\"urn:ietf:params:xml:ns:yang:ietf-if-extensions\">" + parent + "</parent-interface>"
                + "<encapsulation xmlns=\"urn:ietf:params:xml:ns:yang:ietf-if-extensions\">"
                + "<dot1q-vlan xmlns=\"urn:ensm:params:xml:ns:yang:ensm-if-vlan-encapsulation\">"
                + "<outer-tag><tag-type>c-vlan</tag-type><vlan-id>" + vlan + "</vlan-id></outer-tag></dot1q-vlan></encapsulation>"
                + "<ipv4 xmlns=\"urn:ietf:params:xml:ns:yang:ietf-ip\"><mtu>1500</mtu>"
                + "<address><ip>" + ipv4 + "</ip><prefix-length>" + prefixLength + "</prefix-length></address></ipv4>"
                + "</interface>";
    }

    /** The same interface with nc:operation="remove" and only its key. */
    public String removeXml() {
        return "<interface xmlns:nc=\"urn:ietf:params:xml:ns:netconf:base:1.0\" nc:operation=\"remove\"><name>"
                + name() + "</name></interface>";
    }
}
