package io.ensm.openstack.keystone;

import io.ensm.core.spi.Secret;

import java.net.URI;
import java.util.Objects;

/**
 * Who ensm is towards one cloud: Keystone v3 password authentication scoped to a project.
 * Equal credentials share one token (see {@link TokenKeeper}). The password never shows in
 * {@link #toString()}.
 *
 * @param authUrl    Keystone's identity URL, e.g. http://keystone:5000/v3
 * @param region     the region whose endpoints are used; null takes the catalog's first
 * @param endpointInterface public, internal or admin: which catalog URL ensm calls
 */
public record Credentials(URI authUrl, String username, Ref userDomain, Secret password, Ref project, Ref projectDomain,
                          String region, String endpointInterface) {
    public Credentials {
        Objects.requireNonNull(authUrl, "authUrl");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(userDomain, "userDomain");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(projectDomain, "projectDomain");
        Objects.requireNonNull(endpointInterface, "endpointInterface");
    }

    /** As whom, for messages: never the password. */
    public String who() {
        return "user " + username + " (domain " + userDomain + ") project " + project;
    }

    /** Where and as whom, for log lines and messages: never the password. */
    public String describe() {
        return who() + " at " + authUrl;
    }

    @Override
    public String toString() {
        return "Credentials[" + describe() + (region == null ? "" : " region " + region) + " interface " + endpointInterface + "]";
    }
}
