package io.ensm.openstack.testbed;

import io.ensm.core.testing.Prerequisites;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Decides whether this machine can run the test bed at all; only then may a test skip (in CI it fails: {@link Prerequisites}). */
final class Unavailable {
    private static final List<String> COMMANDS = List.of("keystone-manage", "neutron-server", "uwsgi", "openstack");

    private Unavailable() {}

    /** Skips (in CI: fails) when the packages are missing and this user cannot install them. */
    static void checkCanInstall() {
        boolean installed = COMMANDS.stream().allMatch(Unavailable::onPath);
        if (installed) {
            return;
        }
        if (!Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            Prerequisites.here().unmet("the OpenStack test bed needs the Debian packages keystone, neutron-server,"
                    + " python3-openstackclient and uwsgi-plugin-python3, and this machine has no apt-get");
        }
        if (!isRoot() && !passwordlessSudo()) {
            Prerequisites.here().unmet("the OpenStack test bed needs the Debian packages keystone, neutron-server,"
                    + " python3-openstackclient and uwsgi-plugin-python3; they are not installed and this user is neither root"
                    + " nor allowed passwordless sudo to install them");
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
        for (String dir : (path + ":/usr/sbin:/usr/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static boolean passwordlessSudo() {
        try {
            Process p = new ProcessBuilder("sudo", "-n", "true").redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
