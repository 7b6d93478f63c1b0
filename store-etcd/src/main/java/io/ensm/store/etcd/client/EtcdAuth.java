package io.ensm.store.etcd.client;

import io.ensm.core.spi.Secret;

/**
 * A user of etcd's RBAC auth: the client exchanges the name and password for a token (etcd's
 * {@code Auth.Authenticate}) and sends the token with every call. The password leaves the process
 * only in that request; this record's text never shows it.
 */
public record EtcdAuth(String user, Secret password) {
    public EtcdAuth {
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("etcd user name is empty");
        }
        if (password == null) {
            throw new IllegalArgumentException("etcd user '" + user + "' has no password");
        }
    }
}
