package io.ensm.tf.testbed;

import io.ensm.core.testing.Prerequisites;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class that runs against OpenSDN's real config API server. The server starts once
 * per JVM, at the first such class, and stops when the whole run ends (the root store closes it;
 * a shutdown hook covers a JVM that ends otherwise). Test and lifecycle methods may take an
 * {@link OpenSdn} parameter. Where the machine cannot run it the class is skipped with the
 * script's reason; in CI it fails ({@link Prerequisites}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("opensdn")
@ExtendWith(RealOpenSdn.Extension.class)
public @interface RealOpenSdn {

    final class Extension implements BeforeAllCallback, ParameterResolver {
        private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RealOpenSdn.class);

        @Override
        public void beforeAll(ExtensionContext context) {
            server(context);
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == OpenSdn.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return server(context);
        }

        /** The server of this JVM, started by the first caller. */
        public static OpenSdn server(ExtensionContext context) {
            try {
                return context.getRoot().getStore(NS).computeIfAbsent(OpenSdn.class, k -> OpenSdn.start(), OpenSdn.class);
            } catch (RuntimeException e) {
                for (Throwable t = e; t != null; t = t.getCause()) {
                    if (t instanceof OpenSdn.Unavailable u) {
                        return Prerequisites.here().unmet("the real OpenSDN config API server cannot run here: " + u.getMessage());
                    }
                }
                throw e;
            }
        }
    }
}
