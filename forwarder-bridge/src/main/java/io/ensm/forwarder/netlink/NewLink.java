package io.ensm.forwarder.netlink;

/**
 * A link to create.
 *
 * @param mtu    0 for the kernel's default
 * @param master ifindex of the bridge to join at creation, 0 for none
 * @param up     whether to bring it up at creation
 */
public record NewLink(String name, LinkKind kind, int mtu, int master, boolean up) {
    public NewLink {
        LinkNameRules.check(name);
    }
}
