package io.ensm.core.recovery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Applies the {@link OrphanPolicy} of one run to the orphan sweeps. Under {@code sweep} a backend
 * gets the real "is this connection known" test and removes what it rejects. Under {@code keep}
 * and {@code adopt} it gets a test that accepts every id, so it removes nothing and needs no
 * dry-run mode of its own, while the ids the real test rejects are noted: logged once each, and
 * listed by {@link #kept()} until a later sweep no longer finds them.
 */
public final class OrphanFilter {
    private static final Logger log = LoggerFactory.getLogger(OrphanFilter.class);

    private final OrphanPolicy policy;
    /** Per source ("endpoint=NAME", "forwarder"): the ids its latest sweep found and kept. */
    private final Map<String, Set<String>> kept = new ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    private OrphanFilter(OrphanPolicy policy) {
        this.policy = policy;
    }

    /** Removes orphans, as without a policy. */
    public static OrphanFilter sweeping() {
        return new OrphanFilter(OrphanPolicy.SWEEP);
    }

    /**
     * The policy of this run, said once in the log: the configured one, else {@code keep} when the
     * store has never held a connection (a new store, or one whose data was lost: what devices
     * hold is then unknown, not orphaned) and {@code sweep} otherwise.
     *
     * @param configured the setting, or null when not set
     */
    public static OrphanFilter decide(OrphanPolicy configured, boolean storeHasHeldConnections) {
        if (configured != null) {
            log.info("event=orphan-policy policy={} source=setting", configured.label());
            return new OrphanFilter(configured);
        }
        if (storeHasHeldConnections) {
            log.info("event=orphan-policy policy=sweep source=default reason=\"the store has held connections\"");
            return new OrphanFilter(OrphanPolicy.SWEEP);
        }
        log.warn("event=orphan-policy policy=keep source=default reason=\"the store has never held a connection (new, or its data"
                + " was lost): objects marked as ensm's are reported, not removed, until a start on a store that has held one;"
                + " set ensm.recovery.orphans to choose\"");
        return new OrphanFilter(OrphanPolicy.KEEP);
    }

    public OrphanPolicy policy() {
        return policy;
    }

    /** The test to hand to the sweep of {@code source}, in place of {@code known}. */
    public Predicate<String> forSweep(String source, Predicate<String> known) {
        if (policy == OrphanPolicy.SWEEP) {
            return known;
        }
        Set<String> found = ConcurrentHashMap.newKeySet();
        kept.put(source, found);
        return id -> {
            if (!known.test(id)) {
                found.add(id);
                if (reported.add(source + " " + id)) {
                    log.warn("event=orphan-kept {} connection={} policy={} reason=\"marked as ensm's but unknown to the store;"
                            + " left in place\"", source, id, policy.label());
                }
            }
            return true;
        };
    }

    /** Connection ids whose marked objects the latest sweeps found and left in place. */
    public Set<String> kept() {
        Set<String> all = new TreeSet<>();
        kept.values().forEach(all::addAll);
        return all;
    }
}
