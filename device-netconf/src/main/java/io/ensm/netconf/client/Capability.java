package io.ensm.netconf.client;

/** NETCONF capability URNs that change how ensm talks to a device (RFC 6241 §8). */
public final class Capability {
    public static final String BASE_1_0 = "urn:ietf:params:netconf:base:1.0";
    public static final String BASE_1_1 = "urn:ietf:params:netconf:base:1.1";
    public static final String CANDIDATE = "urn:ietf:params:netconf:capability:candidate:1.0";
    public static final String CONFIRMED_COMMIT_1_0 = "urn:ietf:params:netconf:capability:confirmed-commit:1.0";
    public static final String CONFIRMED_COMMIT_1_1 = "urn:ietf:params:netconf:capability:confirmed-commit:1.1";
    public static final String ROLLBACK_ON_ERROR = "urn:ietf:params:netconf:capability:rollback-on-error:1.0";
    public static final String WRITABLE_RUNNING = "urn:ietf:params:netconf:capability:writable-running:1.0";
    public static final String VALIDATE_1_1 = "urn:ietf:params:netconf:capability:validate:1.1";

    private Capability() {}
}
