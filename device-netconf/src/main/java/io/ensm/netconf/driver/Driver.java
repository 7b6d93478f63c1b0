package io.ensm.netconf.driver;

import org.onlab.packet.VlanId;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Speaks one vendor's data model for VLAN sub-interfaces: renders changes to the children of an
 * edit-config {@code <config>}, builds the subtree filter that reads them back and parses the
 * reply. Drivers do no I/O and keep no state; one instance serves every device of its kind.
 *
 * <p>Every method rejects bad input with an IllegalArgumentException whose message starts with the
 * field it is about.
 */
public interface Driver {

    /** The name configuration uses: {@code ietf}, {@code openconfig}, {@code junos}. */
    String name();

    /** Whether the box can terminate VXLAN itself (the DEVICE_VXLAN plan); the driver then renders it. */
    boolean terminatesVxlan();

    /** Refuses a port name this vendor cannot have, saying what a valid one looks like. Used at start-up too. */
    void checkPortName(String portName);

    /**
     * The name the box gives the sub-interface: the parent port, a dot and the VLAN id
     * ({@code eth1.100}, {@code Ethernet1.100}, {@code ge-0/0/1.100}) in all three models.
     */
    default String subInterfaceName(String parentPort, VlanId vlan) {
        IntentRules.checkKey(this, parentPort, vlan);
        return parentPort + "." + vlan.toShort();
    }

    /**
     * The children of {@code <config>} for one edit-config that applies every change. A Put
     * replaces the whole sub-interface, so drift inside it is repaired; a Remove deletes only the
     * sub-interface, never its parent. Each sub-interface may appear once per batch.
     */
    String render(List<Change> changes);

    /**
     * The children of {@code <filter type="subtree">} selecting the sub-interfaces under these
     * parent ports; an empty collection selects every sub-interface (for the orphan sweep).
     */
    String readFilter(Collection<String> parentPorts);

    /**
     * The children of {@code <filter type="subtree">} for the read-back after writing these
     * changes. By default their parent ports (every sub-interface on them); a driver whose model
     * keys each sub-interface selects just those, so the read-back does not grow with the number
     * of connections on the port.
     */
    default String readBackFilter(List<Change> changes) {
        Set<String> ports = new LinkedHashSet<>();
        changes.forEach(c -> ports.add(c.subInterface().parentPort()));
        return readFilter(ports);
    }

    /**
     * Every VLAN sub-interface in a reply, marked or not; a marked entry is reported even when its
     * VLAN is missing. Accepts the {@code <data>} element, its content, or the whole rpc-reply.
     * Fails when the text is not well-formed XML or declares a DTD.
     */
    List<FoundSubInterface> parse(String dataXml);

    /**
     * The children of {@code <filter type="subtree">} reading the port's own description, where a
     * replica of an ensm cluster keeps its fencing token (io.ensm.netconf.backend.PortFence).
     */
    String portDescriptionFilter(String port);

    /** The port's description in a reply to {@link #portDescriptionFilter}; empty when it has none. */
    Optional<String> portDescription(String dataXml, String port);

    /** The children of {@code <config>} setting the port's description (merged: nothing else of the port changes). */
    String renderPortDescription(String port, String description);

    /**
     * The children of {@code <config>} for one edit-config applying the VXLAN changes: a Put
     * replaces the VLAN and its layer-3 unit and merges its remote VTEPs into the global list; a
     * Remove deletes both and the listed global entries. Only for a driver that
     * {@link #terminatesVxlan}; it refuses bad values with an IllegalArgumentException naming the field.
     */
    default String renderVxlan(List<VxlanChange> changes) {
        throw noVxlan();
    }

    /** The children of {@code <filter type="subtree">} reading every VXLAN network and the global remote VTEPs. */
    default String vxlanReadFilter() {
        throw noVxlan();
    }

    /** The VXLAN networks and global remote VTEPs in a reply to {@link #vxlanReadFilter}. */
    default VxlanState parseVxlan(String dataXml) {
        throw noVxlan();
    }

    private UnsupportedOperationException noVxlan() {
        return new UnsupportedOperationException("the " + name() + " driver does not terminate VXLAN");
    }

    /** Refuses a change this driver would not write; {@link #render} applies it to every change. */
    default void check(Change change) {
        switch (change) {
            case Change.Put p -> IntentRules.checkPut(this, p.wanted());
            case Change.Remove r -> IntentRules.checkRemove(this, r.existing());
        }
    }
}
