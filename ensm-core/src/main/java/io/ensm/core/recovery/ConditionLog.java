package io.ensm.core.recovery;

import io.ensm.core.store.Phase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the reconciler tells the operator about trouble, once per change: an endpoint whose
 * connections start failing (or go from some failing to all, or back) is one WARN with the count
 * and the first failure, its recovery one INFO, and each connection's failure in between DEBUG;
 * an orphan sweep that fails is one WARN until it works again, none when its endpoint's trouble
 * was told already. A box that stays down for an hour is two lines, not one per connection and pass.
 */
final class ConditionLog {
    private static final Logger log = LoggerFactory.getLogger(ConditionLog.class);
    private static final String ENDPOINT = "endpoint=";

    private enum Condition { SOME_FAILING, ALL_FAILING }

    /** Endpoints (and sweeps) last seen in trouble, with how; absent means fine. */
    private final Map<String, Condition> endpoints = new ConcurrentHashMap<>();
    /** Sweeps failing, by where; true when their failure was logged as a WARN. */
    private final Map<String, Boolean> sweeps = new ConcurrentHashMap<>();

    /** What one pass found per endpoint; filled while the pass runs, then handed to {@link #report}. */
    static final class Pass {
        private final Map<String, Outcome> outcomes = new LinkedHashMap<>();

        void reconciled(String endpoint) {
            outcomes.computeIfAbsent(endpoint, e -> new Outcome()).ok++;
        }

        void failed(String endpoint, String connection, Phase phase, String step, String reason) {
            Outcome o = outcomes.computeIfAbsent(endpoint, e -> new Outcome());
            o.failed++;
            if (o.first == null) {
                o.first = "connection=" + connection + " phase=" + phase + " step=\"" + step + "\" reason=\"" + reason + "\"";
            }
            log.debug("event=reconcile-failed endpoint={} connection={} phase={} step=\"{}\" reason=\"{}\"",
                    endpoint, connection, phase, step, reason);
        }
    }

    private static final class Outcome {
        int ok;
        int failed;
        String first;
    }

    /** Logs the endpoints whose condition this pass differs from the last pass that saw them. */
    void report(Pass pass) {
        pass.outcomes.forEach((endpoint, o) -> {
            Condition now = o.failed == 0 ? null : o.ok == 0 ? Condition.ALL_FAILING : Condition.SOME_FAILING;
            Condition before = now == null ? endpoints.remove(endpoint) : endpoints.put(endpoint, now);
            if (now == before) {
                return;
            }
            if (now == null) {
                log.info("event=reconcile-endpoint-recovered endpoint={} connections={}", endpoint, o.ok);
            } else {
                log.warn("event=reconcile-endpoint-failing endpoint={} failed={} connections={} {}",
                        endpoint, o.failed, o.ok + o.failed, o.first);
            }
        });
    }

    /**
     * An orphan sweep ({@code where}: "endpoint=NAME" or "forwarder") that failed: a WARN when it
     * starts failing, unless its endpoint's failing connections have been reported already.
     */
    void sweepFailed(String where, String reason) {
        boolean known = sweeps.containsKey(where);
        boolean endpointReported = where.startsWith(ENDPOINT) && endpoints.containsKey(where.substring(ENDPOINT.length()));
        if (!known && !endpointReported) {
            sweeps.put(where, true);
            log.warn("event=orphan-sweep-failed {} reason=\"{}\"", where, reason);
        } else {
            sweeps.putIfAbsent(where, false);
            log.debug("event=orphan-sweep-failed {} reason=\"{}\"", where, reason);
        }
    }

    /** An orphan sweep that worked; logs the end of its trouble when its start was logged. */
    void swept(String where) {
        if (Boolean.TRUE.equals(sweeps.remove(where))) {
            log.info("event=orphan-sweep-recovered {}", where);
        }
    }
}
