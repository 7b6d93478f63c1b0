package io.ensm.core.identity;

import java.math.BigInteger;
import java.time.Instant;

/**
 * What an operator needs to know about the SVID in use: whose it is, until when, and which
 * certificate (the serial changes on every rotation). Carries no key material.
 *
 * @param spiffeId the SVID's SPIFFE ID, e.g. spiffe://example.org/ensm
 * @param notAfter the leaf certificate's expiry
 * @param serial   the leaf certificate's serial number
 */
public record SvidInfo(String spiffeId, Instant notAfter, BigInteger serial) {

    /** Serial in hex, as openssl prints it. */
    public String serialHex() {
        return serial.toString(16);
    }
}
