package io.ensm.netconf.testbed;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test class talks to real netconfd devices: a {@link NetconfTestbed} parameter is injected
 * (shared per JVM for the same device count and target). Tagged {@code netconf-testbed}: it needs
 * root (or password-less sudo) and the Debian packages netconfd and openssh-server.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(NetconfTestbedExtension.class)
@Tag("netconf-testbed")
public @interface UsesNetconfTestbed {
    int devices() default 2;

    /** "candidate" (confirmed commit) or "running" (no :candidate, rollback-on-error). */
    String target() default "candidate";
}
