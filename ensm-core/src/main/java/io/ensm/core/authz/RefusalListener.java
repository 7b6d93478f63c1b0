package io.ensm.core.authz;

/** Told of every refused call, e.g. to count refusals by policy. Must be fast and must not throw. */
@FunctionalInterface
public interface RefusalListener {
    RefusalListener NONE = policy -> {};

    void refused(Policy policy);
}
