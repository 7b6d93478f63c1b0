package io.ensm.openstack.keystone;

import org.openstack4j.model.identity.v3.Token;

import java.time.Instant;

/**
 * A Keystone token with the catalog it came with. {@link #toString()} shows only the times: the
 * token id is a bearer credential.
 *
 * @param raw     openstack4j's token, from which per-thread clients are made
 * @param issued  when Keystone issued it
 * @param expires when Keystone stops accepting it
 */
public record IssuedToken(Token raw, Instant issued, Instant expires) {

    /** The token id, for the X-Auth-Token header only. */
    public String id() {
        return raw.getId();
    }

    @Override
    public String toString() {
        return "IssuedToken[issued=" + issued + ", expires=" + expires + "]";
    }
}
