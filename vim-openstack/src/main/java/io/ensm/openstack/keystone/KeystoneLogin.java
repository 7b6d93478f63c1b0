package io.ensm.openstack.keystone;

import io.ensm.core.spi.BackendException;

/** One password authentication against Keystone v3. */
@FunctionalInterface
public interface KeystoneLogin {
    IssuedToken login() throws BackendException;
}
