package io.ensm.forwarder.testbed;

import io.ensm.core.testing.Prerequisites;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * Network namespaces made for one test ({@code ensmt-<random>-<role>}). After each test, whether
 * it passed or not, every namespace it made is deleted and a leak check runs: no namespace of the
 * test may remain and no link in the host namespace may carry ensm's mark. A leak fails the test
 * even when the test itself passed.
 */
public final class KernelTestBed implements BeforeEachCallback, AfterEachCallback {
    public static final String PREFIX = "ensmt-";

    private Namespaces namespaces;

    /** Skips (with the exact reason), or fails in CI, on a machine where network namespaces cannot be made. */
    public static void requireKernelTestBed() {
        Prerequisites.here().requireRoot("(CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces");
        Prerequisites.here().requireCommand("ip", "iproute2; scripts/test installs it");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        requireKernelTestBed();
        namespaces = new Namespaces(PREFIX);
    }

    /** Creates a namespace for {@code role} (e.g. "node") with its loopback up; returns its name. */
    public String namespace(String role) {
        return namespaces.create(role);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (namespaces == null) {
            return;
        }
        List<String> problems = namespaces.deleteAll();
        namespaces = null;
        if (!problems.isEmpty()) {
            AssertionError leak = new AssertionError("leak check after " + context.getDisplayName() + ": " + String.join("; ", problems));
            context.getExecutionException().ifPresent(leak::addSuppressed);
            throw leak;
        }
    }
}
