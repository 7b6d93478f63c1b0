package io.ensm.netconf.testbed;

import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendContext;
import io.ensm.core.spi.BackendProvider;
import io.ensm.netconf.backend.NetconfBackendProvider;
import io.ensm.netconf.driver.Drivers;
import io.ensm.netconf.driver.junos.JunosDriver;

import java.util.Optional;

/**
 * The netconf backend, type {@code netconf-module}, whose junos driver qualifies its statements
 * with the namespace of the test bed's ensm-junos-vxlan module, so a runtime can be pointed at
 * netconfd with {@code driver: junos}. Every other setting is the netconf backend's.
 */
public final class ModuleJunosBackendProvider implements BackendProvider {
    public static final String TYPE = "netconf-module";

    private final NetconfBackendProvider delegate = new NetconfBackendProvider(TYPE,
            name -> JunosDriver.NAME.equals(name) ? Optional.of(new JunosDriver(BoxVxlanView.NS)) : Drivers.byName(name));

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Backend create(BackendContext context) {
        return delegate.create(context);
    }
}
