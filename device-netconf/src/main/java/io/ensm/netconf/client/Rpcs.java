package io.ensm.netconf.client;

import java.time.Duration;

/** The operations ensm sends (RFC 6241 §7, §8.3, §8.4), as the content of {@code <rpc>}. */
public final class Rpcs {
    private Rpcs() {}

    /** A configuration datastore. */
    public enum Datastore {
        RUNNING, CANDIDATE;

        String element() {
            return this == RUNNING ? "<running/>" : "<candidate/>";
        }

        @Override
        public String toString() {
            return name().toLowerCase();
        }
    }

    public static String lock(Datastore target) {
        return "<lock><target>" + target.element() + "</target></lock>";
    }

    public static String unlock(Datastore target) {
        return "<unlock><target>" + target.element() + "</target></unlock>";
    }

    /**
     * edit-config with merge as default operation; with {@code rollbackOnError} a failing edit
     * leaves the target as it was (needs :rollback-on-error).
     */
    public static String editConfig(Datastore target, String config, boolean rollbackOnError) {
        return "<edit-config><target>" + target.element() + "</target>"
                + (rollbackOnError ? "<error-option>rollback-on-error</error-option>" : "")
                + "<config>" + config + "</config></edit-config>";
    }

    public static String commit() {
        return "<commit/>";
    }

    /** A commit the device rolls back unless confirmed within the timeout (or if the session ends first). */
    public static String commitConfirmed(Duration timeout) {
        return "<commit><confirmed/><confirm-timeout>" + Math.max(1, timeout.toSeconds()) + "</confirm-timeout></commit>";
    }

    public static String cancelCommit() {
        return "<cancel-commit/>";
    }

    public static String discardChanges() {
        return "<discard-changes/>";
    }

    /** get-config with a subtree filter; an empty filter string reads the whole datastore. */
    public static String getConfig(Datastore source, String subtreeFilter) {
        return "<get-config><source>" + source.element() + "</source>"
                + (subtreeFilter.isEmpty() ? "" : "<filter type=\"subtree\">" + subtreeFilter + "</filter>")
                + "</get-config>";
    }

    /** get-config of running with an empty subtree filter: selects nothing, so the cheapest RPC a device must answer. */
    public static String ping() {
        return "<get-config><source><running/></source><filter type=\"subtree\"/></get-config>";
    }

    /** get (configuration and state) with a subtree filter. */
    public static String get(String subtreeFilter) {
        return "<get><filter type=\"subtree\">" + subtreeFilter + "</filter></get>";
    }

    public static String killSession(long sessionId) {
        return "<kill-session><session-id>" + sessionId + "</session-id></kill-session>";
    }
}
