package io.ensm.forwarder.testbed;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Network namespaces made for one test, named {@code ensmt-<random>-<role>} so that parallel
 * runs and other users of the machine never collide. After each test, whether it passed or not,
 * every namespace it made is deleted (which removes every link inside) and a leak check runs: no
 * namespace of this run may remain and no link in the host namespace may carry ensm's mark.
 * A leak fails the test even when the test itself passed.
 */
public final class KernelTestBed implements BeforeEachCallback, AfterEachCallback {
    public static final String PREFIX = "ensmt-";
    private static final Pattern ALIAS = Pattern.compile("alias (ensm:\\S*)");

    private final List<String> made = new ArrayList<>();
    private String run;

    /** Skips (with the exact reason) on a machine where network namespaces cannot be made. */
    public static void requireKernelTestBed() {
        assumeTrue("root".equals(System.getProperty("user.name")) || uidIsZero(),
                "needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces; running as " + System.getProperty("user.name"));
        assumeTrue(Cmd.available("ip"), "needs iproute2's 'ip' command to build the test bed (scripts/test installs it)");
    }

    private static boolean uidIsZero() {
        try {
            return Cmd.exec("id", "-u").output().strip().equals("0");
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        requireKernelTestBed();
        run = PREFIX + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt()) + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt());
    }

    /** Creates a namespace for {@code role} (e.g. "node") with its loopback up; returns its name. */
    public String namespace(String role) {
        String name = run + "-" + role;
        Cmd.run("ip", "netns", "add", name);
        made.add(name);
        Cmd.run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> problems = new ArrayList<>();
        for (String ns : made.reversed()) {
            Cmd.Result r = Cmd.exec("ip", "netns", "del", ns);
            if (!r.ok()) {
                problems.add("could not delete namespace " + ns + ": " + r.output().strip());
            }
        }
        made.clear();
        problems.addAll(leaks(run));
        if (!problems.isEmpty()) {
            AssertionError leak = new AssertionError("leak check after " + context.getDisplayName() + ": " + String.join("; ", problems));
            context.getExecutionException().ifPresent(leak::addSuppressed);
            throw leak;
        }
    }

    /** What this run left behind: its namespaces, and ensm-marked links in the host namespace. */
    public static List<String> leaks(String run) {
        List<String> found = new ArrayList<>();
        for (String line : Cmd.run("ip", "netns", "list").split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (!ns.isEmpty() && run != null && ns.startsWith(run)) {
                found.add("namespace " + ns + " still exists");
            }
        }
        Matcher m = ALIAS.matcher(Cmd.run("ip", "-d", "-o", "link", "show"));
        while (m.find()) {
            found.add("host namespace holds a link marked " + m.group(1));
        }
        return found;
    }
}
