package io.ensm.netconf.testbed;

import io.ensm.core.testing.Prerequisites;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.function.Supplier;

/**
 * Injects the shared {@link NetconfTestbed} named by {@link UsesNetconfTestbed}. When the machine
 * cannot run it, the test is skipped with the script's exact reason, printed to stderr as well
 * (in CI, where the test bed must run, it fails instead: {@link Prerequisites}).
 */
public final class NetconfTestbedExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == NetconfTestbed.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) throws ParameterResolutionException {
        UsesNetconfTestbed spec = context.getRequiredTestClass().getAnnotation(UsesNetconfTestbed.class);
        int devices = spec == null ? 2 : spec.devices();
        String target = spec == null ? "candidate" : spec.target();
        return startOrSkip(() -> NetconfTestbed.shared(devices, target));
    }

    /** Starts a test bed, or skips (in CI: fails) the calling test with the script's exact reason where the machine cannot run it. */
    public static NetconfTestbed startOrSkip(Supplier<NetconfTestbed> start) {
        try {
            return start.get();
        } catch (NetconfTestbed.Unavailable e) {
            return Prerequisites.here().unmet("real NETCONF test bed unavailable on this machine: " + e.getMessage());
        }
    }
}
