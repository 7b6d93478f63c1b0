package io.ensm.netconf.backend;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.VlanRange;
import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.Drivers;
import io.ensm.netconf.driver.IntentRules;
import io.ensm.netconf.session.DeviceConfig;
import io.ensm.netconf.session.DeviceSettings;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Settings: the device settings of {@link DeviceSettings} plus {@code driver} (ietf, openconfig,
 * junos), {@code port-name} (the box's parent port), {@code uplink} (ensm's interface towards the
 * box), {@code uplink-mode} ({@code tagged}, the default, or {@code access}), {@code vlans}
 * ("100-199"), {@code plans} (default "forwarder-vxlan,fabric-vlan") and {@code mtu} (default
 * 1500). The device is named after the endpoint.
 */
public final class NetconfBackendProvider implements BackendProvider {
    static final int DEFAULT_MTU = 1500;

    @Override
    public String type() {
        return NetconfBackend.TYPE;
    }

    @Override
    public Backend create(EndpointSpec endpoint, Map<String, String> settings) {
        String driverName = settings.get("driver");
        if (driverName == null || driverName.isBlank()) {
            throw new IllegalArgumentException("driver: missing (one of " + String.join(", ", Drivers.names()) + ")");
        }
        Driver driver = Drivers.byName(driverName.strip()).orElseThrow(() -> new IllegalArgumentException(
                "driver: unknown driver '" + driverName + "'; known: " + String.join(", ", Drivers.names())));
        String port = required(settings, "port-name", "the box's port the sub-interfaces sit on");
        try {
            driver.checkPortName(port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("port-name: " + e.getMessage(), e);
        }
        String uplink = required(settings, "uplink", "ensm's interface towards the box");
        String vlans = required(settings, "vlans", "e.g. 100-199");
        VlanRange range;
        try {
            range = VlanRange.parse(vlans);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("vlans: " + e.getMessage(), e);
        }
        UplinkMode mode = UplinkMode.parse(settings.get("uplink-mode"));
        if (mode == UplinkMode.ACCESS && range.size() != 1) {
            // An access port classifies untagged frames into one VLAN: one cross-connect at a time.
            throw new IllegalArgumentException("vlans: uplink-mode access needs exactly one VLAN id, not '" + vlans.strip() + "'");
        }
        Set<PlanKind> plans = plans(settings.getOrDefault("plans", "forwarder-vxlan,fabric-vlan"), driver);
        int mtu = mtu(settings.get("mtu"));
        DeviceConfig config = DeviceSettings.parse(endpoint.name(), settings);
        BackendCapabilities caps = new BackendCapabilities(plans, "uplink:" + uplink, range, null);
        return new NetconfBackend(config, driver, port, uplink, mode, mtu, caps);
    }

    private static String required(Map<String, String> s, String key, String what) {
        String v = s.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(key + ": missing (" + what + ")");
        }
        return v.strip();
    }

    private static Set<PlanKind> plans(String text, Driver driver) {
        Set<PlanKind> plans = EnumSet.noneOf(PlanKind.class);
        for (String p : text.split(",")) {
            String name = p.strip().toUpperCase(Locale.ROOT).replace('-', '_');
            PlanKind plan;
            try {
                plan = PlanKind.valueOf(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("plans: unknown plan '" + p.strip()
                        + "' (known: forwarder-vxlan, fabric-vlan, device-vxlan)");
            }
            if (plan == PlanKind.DEVICE_VXLAN && !driver.terminatesVxlan()) {
                throw new IllegalArgumentException("plans: device-vxlan needs a box that terminates VXLAN; the "
                        + driver.name() + " driver does not");
            }
            plans.add(plan);
        }
        return plans;
    }

    private static int mtu(String text) {
        if (text == null) {
            return DEFAULT_MTU;
        }
        try {
            int mtu = Integer.parseInt(text.strip());
            if (mtu >= IntentRules.MIN_MTU && mtu <= IntentRules.MAX_MTU) {
                return mtu;
            }
        } catch (NumberFormatException e) {
            // Falls through to the message below.
        }
        throw new IllegalArgumentException("mtu: '" + text + "' is not a number in " + IntentRules.MIN_MTU + ".." + IntentRules.MAX_MTU);
    }
}
