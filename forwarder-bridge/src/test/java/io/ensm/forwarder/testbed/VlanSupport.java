package io.ensm.forwarder.testbed;

import io.ensm.core.testing.Cmd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Whether this kernel can make 802.1Q sub-interfaces, found by trying, and if not, exactly why. */
public final class VlanSupport {
    private VlanSupport() {}

    /**
     * Tries to create a VLAN link on {@code parent} in {@code netns}; returns empty when the kernel
     * can, else the reason with what the kernel answered.
     */
    public static Optional<String> missingIn(String netns, String parent) {
        Cmd.Result r = Cmd.exec("ip", "-n", netns, "link", "add", "link", parent, "name", "probe.5", "type", "vlan", "id", "5");
        if (r.ok()) {
            Cmd.run("ip", "-n", netns, "link", "del", "probe.5");
            return Optional.empty();
        }
        String kernel = Cmd.exec("uname", "-r").output().strip();
        boolean procVlan = Files.exists(Path.of("/proc/net/vlan"));
        boolean modules = Files.isDirectory(Path.of("/lib/modules", kernel));
        return Optional.of("kernel " + kernel + " has no 802.1Q VLAN support: creating a link of kind 'vlan' fails with '"
                + r.output().strip() + "' (EOPNOTSUPP), /proc/net/vlan " + (procVlan ? "exists" : "is absent")
                + ", and " + (modules ? "/lib/modules/" + kernel + " has no loadable 8021q" : "there is no /lib/modules/" + kernel
                + " to load the 8021q module from") + "; the VLAN sub-interface path needs a kernel with CONFIG_VLAN_8021Q");
    }
}
