package io.ensm.core.testing;

import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.util.Map;
import java.util.function.Supplier;

/**
 * What a test needs of the machine: root, a tool, a test bed. Where the need is not met the test
 * is skipped, loudly, with the reason; with {@code CI=true} in the environment it fails instead.
 * CI runs as root on a machine where the tests can install what they use, so a skip there hides
 * a broken test. A skip that is honest everywhere (a kernel without a feature) does not belong
 * here: use JUnit's assumptions for it.
 */
public final class Prerequisites {
    /** The environment variable that turns unmet prerequisites into failures when it is {@code true}. */
    public static final String SWITCH = "CI";

    private static final Prerequisites HERE = of(System.getenv(), Prerequisites::currentUid);

    private final boolean strict;
    private final Supplier<String> uid;

    private Prerequisites(boolean strict, Supplier<String> uid) {
        this.strict = strict;
        this.uid = uid;
    }

    /** For this JVM: its environment and its user. */
    public static Prerequisites here() {
        return HERE;
    }

    /** For the given environment and user id (tests of this class). */
    public static Prerequisites of(Map<String, String> environment, Supplier<String> uid) {
        return new Prerequisites("true".equalsIgnoreCase(environment.getOrDefault(SWITCH, "").strip()), uid);
    }

    /** Whether unmet prerequisites fail rather than skip. */
    public boolean strict() {
        return strict;
    }

    /** Requires user id 0; {@code purpose} completes "needs root ...", e.g. "to create network namespaces". */
    public void requireRoot(String purpose) {
        String id = uid.get();
        require("0".equals(id), () -> "needs root " + purpose + "; uid is " + id + " (" + System.getProperty("user.name") + ")");
    }

    /** Requires a program on the PATH; {@code hint} says where it comes from. */
    public void requireCommand(String program, String hint) {
        require(Cmd.available(program), () -> "needs the '" + program + "' command (" + hint + ")");
    }

    public void require(boolean met, Supplier<String> reason) {
        if (!met) {
            unmet(reason.get());
        }
    }

    /** Ends the calling test: a skip, or with the switch on a failure. Declared to return so callers can {@code return unmet(...)}. */
    public <T> T unmet(String reason) {
        if (strict) {
            throw new AssertionFailedError(reason + " [" + SWITCH + "=true: a test that cannot run here is a failure, not a skip;"
                    + " fix the machine or the test]");
        }
        // Said on the console too, not only in the report: a skip is a gap in coverage.
        String skipped = "SKIPPED: " + reason;
        System.err.println(skipped);
        throw new TestAbortedException(skipped);
    }

    private static String currentUid() {
        return Cmd.available("id") ? Cmd.exec("id", "-u").output().strip() : "unknown";
    }
}
