package io.ensm.store.etcd.testbed;

import io.ensm.core.testing.Prerequisites;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.function.Supplier;

/**
 * Injects the JVM's shared {@link EtcdCluster} into tests that declare it as a parameter
 * (constructor, lifecycle or test method); a parameter annotated {@link Secured} gets the JVM's
 * cluster with TLS and auth ({@link EtcdCluster#secured()}). Where the machine cannot run the test bed, the test is
 * skipped with the script's reason ({@link Prerequisites}: in CI it fails instead).
 */
public final class EtcdClusterExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EtcdCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) throws ParameterResolutionException {
        return parameter.isAnnotated(Secured.class) ? startOrSkip(EtcdCluster::secured) : startOrSkip();
    }

    /** Asks for the cluster with TLS (client certificates required) and etcd's auth on. */
    @Target(ElementType.PARAMETER)
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Secured {}

    /** The shared cluster, or a skip (in CI: a failure) with the script's reason. */
    public static EtcdCluster startOrSkip() {
        return startOrSkip(EtcdCluster::shared);
    }

    private static EtcdCluster startOrSkip(Supplier<EtcdCluster> start) {
        try {
            return start.get();
        } catch (EtcdCluster.Unavailable e) {
            return Prerequisites.here().unmet("real etcd test bed unavailable on this machine: " + e.getMessage());
        }
    }
}
