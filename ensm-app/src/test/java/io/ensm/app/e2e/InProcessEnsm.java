package io.ensm.app.e2e;

import io.ensm.app.EnsmApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.Map;

/**
 * The service started inside the test's JVM, for the checks of its configuration: a start takes
 * a fraction of a separate JVM's, and a refused start is an exception whose messages can be read.
 */
final class InProcessEnsm {
    private InProcessEnsm() {}

    /** The settings of a start of its own (a free gRPC port, this data directory), to add a configuration to. */
    static Map<String, String> settings(Path dataDir) {
        return ServiceLaunch.isolated(EnsmProcess.freePort(), dataDir);
    }

    /** Starts the service with these settings; the caller closes it. */
    static ConfigurableApplicationContext run(Map<String, String> settings) {
        return new SpringApplicationBuilder(EnsmApplication.class).logStartupInfo(false)
                .run(ServiceLaunch.arguments(settings).toArray(String[]::new));
    }

    /** Starts the service with settings that must stop it, and returns the message chain of the failure. */
    static String failureOf(Map<String, String> settings) {
        try (ConfigurableApplicationContext ignored = run(settings)) {
            throw new AssertionError("ensm started with " + settings);
        } catch (RuntimeException e) {
            StringBuilder chain = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                chain.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
            }
            return chain.toString();
        }
    }
}
