package io.ensm.netconf.backend;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendContext;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.SettingsReader;
import io.ensm.core.spi.VlanRange;
import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.Drivers;
import io.ensm.netconf.driver.IntentRules;
import io.ensm.netconf.driver.junos.JunosDriver;
import io.ensm.netconf.session.DeviceConfig;
import io.ensm.netconf.session.DeviceSettings;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Settings: the device settings of {@link DeviceSettings} plus {@code driver} (ietf, openconfig,
 * junos), {@code port-name} (the box's parent port), {@code uplink} (ensm's interface towards the
 * box), {@code uplink-mode} ({@code tagged}, the default, or {@code access}), {@code vlans}
 * ("100-199"), {@code plans} (default "forwarder-vxlan,fabric-vlan"; {@code device-vxlan} only
 * with a driver that terminates VXLAN), {@code vtep-address} (the box's VTEP, required with
 * device-vxlan), {@code vtep-port} (default 4789), {@code mtu} (default 1500) and, with driver
 * junos only, {@code configuration-namespace} (an absolute URI; absent, the statements go
 * unqualified as a Junos box takes them). The device is named after the endpoint; the
 * sub-interfaces' marker names the owner.
 */
public final class NetconfBackendProvider implements BackendProvider {
    static final int DEFAULT_MTU = 1500;

    static final String CONFIGURATION_NAMESPACE = "configuration-namespace";

    @Override
    public String type() {
        return NetconfBackend.TYPE;
    }

    @Override
    public Backend create(BackendContext context) {
        SettingsReader s = context.settings();
        String driverName = s.required("driver", "one of " + String.join(", ", Drivers.names()));
        Driver driver = Drivers.byName(driverName).orElseThrow(() -> s.invalid("driver",
                "unknown driver '" + driverName + "'; known: " + String.join(", ", Drivers.names())));
        if (s.has(CONFIGURATION_NAMESPACE)) {
            driver = qualified(s, driver);
        }
        String port = s.required("port-name", "the box's port the sub-interfaces sit on");
        try {
            driver.checkPortName(port);
        } catch (IllegalArgumentException e) {
            throw s.invalid("port-name", e.getMessage(), e);
        }
        String uplink = s.required("uplink", "ensm's interface towards the box");
        VlanRange range = s.vlans("vlans", "e.g. 100-199");
        UplinkMode mode = s.choice("uplink-mode", UplinkMode.class, UplinkMode.TAGGED);
        if (mode == UplinkMode.ACCESS && range.size() != 1) {
            // An access port classifies untagged frames into one VLAN: one cross-connect at a time.
            throw s.invalid("vlans", "uplink-mode access needs exactly one VLAN id, not '" + range + "'");
        }
        Set<PlanKind> plans = s.plans("plans", EnumSet.allOf(PlanKind.class));
        if (plans.contains(PlanKind.DEVICE_VXLAN) && !driver.terminatesVxlan()) {
            throw s.invalid("plans", "device-vxlan needs a box that terminates VXLAN; the " + driver.name() + " driver does not");
        }
        String vtepAddress = null;
        if (plans.contains(PlanKind.DEVICE_VXLAN)) {
            vtepAddress = s.required("vtep-address", "the box's VTEP address (its vtep-source-interface's), for plans: device-vxlan");
            try {
                IntentRules.checkVtep("vtep-address", vtepAddress);
            } catch (IllegalArgumentException e) {
                throw s.invalid("vtep-address", "'" + vtepAddress + "' is not an IPv4 address (the box's VTEP is one)", e);
            }
        } else if (s.has("vtep-address") || s.has("vtep-port")) {
            throw s.invalid(s.has("vtep-address") ? "vtep-address" : "vtep-port", "only for plans: device-vxlan, which this endpoint does not offer");
        }
        int vtepPort = s.integer("vtep-port", 1, 65535, BackendCapabilities.VXLAN_PORT);
        int mtu = s.integer("mtu", IntentRules.MIN_MTU, IntentRules.MAX_MTU, DEFAULT_MTU);
        DeviceConfig config = DeviceSettings.parse(context.endpoint().name(), s);
        s.done();
        BackendCapabilities caps = new BackendCapabilities(plans, "uplink:" + uplink, range, vtepAddress, List.of(), vtepPort);
        NetconfBackend backend = new NetconfBackend(config, driver, port, uplink, mode, mtu, caps, context.owner());
        backend.bindMeters(context.meters(), context.endpoint().name());
        return backend;
    }

    /**
     * The junos driver writing {@code configuration} in the configured namespace: for a server that
     * validates Junos statements against a module of its own namespace instead of Junos's
     * unqualified form. The other drivers' elements already carry their modules' namespaces.
     */
    private static Driver qualified(SettingsReader s, Driver driver) {
        String ns = s.optional(CONFIGURATION_NAMESPACE).orElseThrow();
        if (!(driver instanceof JunosDriver)) {
            throw s.invalid(CONFIGURATION_NAMESPACE, "only with driver junos; the " + driver.name()
                    + " driver writes the namespaces of its own modules");
        }
        URI uri;
        try {
            uri = new URI(ns);
        } catch (URISyntaxException e) {
            throw s.invalid(CONFIGURATION_NAMESPACE, "'" + ns + "' is not a URI: " + e.getReason(), e);
        }
        if (!uri.isAbsolute()) {
            throw s.invalid(CONFIGURATION_NAMESPACE, "'" + ns + "' is not an absolute URI (a scheme such as urn: or http: first)");
        }
        return new JunosDriver(ns);
    }
}
