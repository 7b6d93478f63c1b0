package io.ensm.core.chain;

import java.security.cert.X509Certificate;

/**
 * Who called, as proven by mutual TLS: the SPIFFE ID of the client's X.509-SVID and its leaf
 * certificate (whose key must have signed the caller's path token).
 */
public record Caller(String spiffeId, X509Certificate certificate) {

    @Override
    public String toString() {
        return spiffeId;
    }
}
