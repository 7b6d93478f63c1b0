package io.ensm.core.authz;

/**
 * The authorization policies ensm applies, named as NSM names its Rego policies so that an
 * operator can match a refusal to NSM's documentation.
 */
public enum Policy {
    /** Every token of the path up to this hop decodes as a JWT. */
    TOKENS_VALID("tokens_valid"),
    /** The previous segment's token is signed by the caller's certificate. */
    PREV_TOKEN_SIGNED("prev_token_signed"),
    /** No token of the path up to this hop has expired. */
    TOKENS_EXPIRED("tokens_expired"),
    /** Each token's {@code aud} (a JSON array) holds the {@code sub} of the next segment's token. */
    TOKENS_CHAINED("tokens_chained"),
    /** Registry: only the first registrant of a name may register it again or unregister it. */
    CLIENT_ALLOWED("client_allowed"),
    /** Monitor: the caller holds at least one of the connections its scope selector names. */
    SERVICE_CONNECTION("service_connection"),
    /** ensm's own: the caller's SPIFFE ID is one of the configured allowed callers. */
    ALLOWED_CALLERS("allowed_callers");

    private final String policyName;

    Policy(String policyName) {
        this.policyName = policyName;
    }

    /** The name in refusals, logs and metrics. */
    public String policyName() {
        return policyName;
    }
}
