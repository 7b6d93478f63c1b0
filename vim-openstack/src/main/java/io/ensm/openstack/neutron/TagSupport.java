package io.ensm.openstack.neutron;

import io.ensm.core.spi.BackendException;

/**
 * Whether Neutron takes tags in a create request (the {@code tag-creation} extension of newer
 * releases) or only afterwards ({@code standard-attr-tag}). Asked once, on first use.
 */
public final class TagSupport {
    private final Neutron neutron;
    private volatile Boolean onCreate;

    public TagSupport(Neutron neutron) {
        this.neutron = neutron;
    }

    public boolean onCreate() throws BackendException {
        Boolean known = onCreate;
        if (known == null) {
            known = neutron.extensions().contains("tag-creation");
            onCreate = known;
        }
        return known;
    }
}
