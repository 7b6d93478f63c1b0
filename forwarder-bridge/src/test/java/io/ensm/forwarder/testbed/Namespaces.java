package io.ensm.forwarder.testbed;

import io.ensm.core.testing.Cmd;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network namespaces made for one test or benchmark run, named {@code <prefix><random>-<role>}
 * so that parallel runs and other users of the machine never collide. Closing deletes them all
 * (which removes every link inside) and reports what the run left behind.
 */
public final class Namespaces {
    private static final Pattern ALIAS = Pattern.compile("alias (ensm:\\S*)");

    private final String run;
    private final List<String> made = new ArrayList<>();

    public Namespaces(String prefix) {
        byte[] r = new byte[3];
        ThreadLocalRandom.current().nextBytes(r);
        this.run = prefix + HexFormat.of().formatHex(r);
    }

    /** The common part of this run's namespace names. */
    public String run() {
        return run;
    }

    /** Creates a namespace for {@code role} (e.g. "node") with its loopback up; returns its name. */
    public String create(String role) {
        String name = run + "-" + role;
        Cmd.run("ip", "netns", "add", name);
        made.add(name);
        Cmd.run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** Deletes every namespace of the run; returns the problems met, including leaks found afterwards. */
    public List<String> deleteAll() {
        List<String> problems = new ArrayList<>();
        for (String ns : made.reversed()) {
            Cmd.Result r = Cmd.exec("ip", "netns", "del", ns);
            if (!r.ok()) {
                problems.add("could not delete namespace " + ns + ": " + r.output().strip());
            }
        }
        made.clear();
        problems.addAll(leaks(run));
        return problems;
    }

    /** What a run left behind: its namespaces, and ensm-marked links in the host namespace. */
    public static List<String> leaks(String run) {
        List<String> found = new ArrayList<>();
        for (String line : Cmd.run("ip", "netns", "list").split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (!ns.isEmpty() && ns.startsWith(run)) {
                found.add("namespace " + ns + " still exists");
            }
        }
        markedLinks(null).forEach(alias -> found.add("host namespace holds a link marked " + alias));
        return found;
    }

    /** Aliases of links carrying ensm's mark in a namespace (null: the host's), as iproute2 shows them. */
    public static List<String> markedLinks(String netns) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        if (netns != null) {
            cmd.addAll(List.of("-n", netns));
        }
        cmd.addAll(List.of("-d", "-o", "link", "show"));
        List<String> aliases = new ArrayList<>();
        Matcher m = ALIAS.matcher(Cmd.run(cmd.toArray(String[]::new)));
        while (m.find()) {
            aliases.add(m.group(1));
        }
        return aliases;
    }
}
