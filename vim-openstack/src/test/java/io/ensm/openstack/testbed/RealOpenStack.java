package io.ensm.openstack.testbed;

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
 * Marks a test class that runs against the real Keystone and Neutron. The test bed starts once
 * per JVM, at the first such class, and stops when the whole run ends (the root store closes it;
 * a shutdown hook covers a JVM that ends otherwise). Test methods and lifecycle methods may take a
 * {@link TestBed} parameter.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("openstack")
@ExtendWith(RealOpenStack.Extension.class)
public @interface RealOpenStack {

    final class Extension implements BeforeAllCallback, ParameterResolver {
        private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RealOpenStack.class);

        @Override
        public void beforeAll(ExtensionContext context) {
            bed(context);
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == TestBed.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return bed(context);
        }

        private static TestBed bed(ExtensionContext context) {
            return context.getRoot().getStore(NS).computeIfAbsent(TestBed.class, k -> TestBed.start(), TestBed.class);
        }
    }
}
