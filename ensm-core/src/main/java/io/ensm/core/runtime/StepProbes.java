package io.ensm.core.runtime;

import io.ensm.core.spi.StepProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.ServiceLoader;

/** Finds the step probe on the class path: none in a production build, so the probe does nothing. */
final class StepProbes {
    private static final Logger log = LoggerFactory.getLogger(StepProbes.class);

    private StepProbes() {}

    static StepProbe load() {
        List<StepProbe> found = ServiceLoader.load(StepProbe.class).stream().map(ServiceLoader.Provider::get).toList();
        if (found.isEmpty()) {
            return StepProbe.NONE;
        }
        if (found.size() > 1) {
            throw new IllegalStateException("more than one step probe on the class path: "
                    + found.stream().map(p -> p.getClass().getName()).toList());
        }
        // Loud on purpose: a probe has no business in a production class path.
        log.warn("event=step-probe-loaded class={}", found.getFirst().getClass().getName());
        return found.getFirst();
    }
}
