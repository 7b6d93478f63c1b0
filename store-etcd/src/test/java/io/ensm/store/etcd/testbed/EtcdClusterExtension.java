package io.ensm.store.etcd.testbed;

import io.ensm.core.testing.Prerequisites;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects the JVM's shared {@link EtcdCluster} into tests that declare it as a parameter
 * (constructor, lifecycle or test method). Where the machine cannot run the test bed, the test is
 * skipped with the script's reason ({@link Prerequisites}: in CI it fails instead).
 */
public final class EtcdClusterExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EtcdCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) throws ParameterResolutionException {
        return startOrSkip();
    }

    /** The shared cluster, or a skip (in CI: a failure) with the script's reason. */
    public static EtcdCluster startOrSkip() {
        try {
            return EtcdCluster.shared();
        } catch (EtcdCluster.Unavailable e) {
            return Prerequisites.here().unmet("real etcd test bed unavailable on this machine: " + e.getMessage());
        }
    }
}
