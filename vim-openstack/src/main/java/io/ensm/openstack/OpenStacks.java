package io.ensm.openstack;

import io.ensm.openstack.neutron.Neutron;

/** The shared clouds, for the other parts of this module (the discovery source). */
public final class OpenStacks {
    private OpenStacks() {}

    /** The Neutron client of the shared cloud these settings name: same token as the endpoints with these settings. */
    public static Neutron neutron(OpenStackSettings settings) {
        return Cloud.shared(Cloud.Key.of(settings)).neutron();
    }
}
