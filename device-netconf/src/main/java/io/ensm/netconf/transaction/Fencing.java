package io.ensm.netconf.transaction;

/**
 * A transaction's fence: where the device keeps the token and the token of the hold the
 * transaction writes under (grows each time the endpoint changes hands, at least 1).
 */
public record Fencing(FenceLeaf leaf, long token) {
    public Fencing {
        if (token < 1) {
            throw new IllegalArgumentException("fence token: " + token + " is not a hold's token (at least 1)");
        }
    }
}
