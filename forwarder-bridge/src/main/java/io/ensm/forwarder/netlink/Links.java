package io.ensm.forwarder.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Links (network interfaces) through RTM_NEWLINK, RTM_GETLINK and RTM_DELLINK. */
public final class Links {
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    private static final int IFINFOMSG = 16;
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_MTU = 4;
    private static final int IFLA_LINK = 5;
    private static final int IFLA_MASTER = 10;
    private static final int IFLA_LINKINFO = 18;
    private static final int IFLA_IFALIAS = 20;
    private static final int IFLA_AF_SPEC = 26;
    private static final int IFLA_INET6_ADDR_GEN_MODE = 8;
    private static final int IN6_ADDR_GEN_MODE_NONE = 1;
    private static final int IFLA_GROUP = 27;
    private static final int IFLA_NET_NS_FD = 28;
    private static final int IFLA_EXT_MASK = 29;
    private static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;
    private static final int IFLA_INFO_KIND = 1;
    private static final int IFLA_INFO_DATA = 2;
    private static final int IFLA_VXLAN_ID = 1;
    private static final int IFLA_VXLAN_GROUP = 2;
    private static final int IFLA_VXLAN_LOCAL = 4;
    private static final int IFLA_VXLAN_LEARNING = 7;
    private static final int IFLA_VXLAN_PORT = 15;
    private static final int IFLA_VXLAN_GROUP6 = 16;
    private static final int IFLA_VXLAN_LOCAL6 = 17;
    private static final int VETH_INFO_PEER = 1;
    private static final int IFLA_VLAN_ID = 1;
    /** The most an alias may hold (IFALIASZ - 1). */
    public static final int MAX_ALIAS = 255;

    private final NetlinkSocket socket;

    public Links(NetlinkSocket socket) {
        this.socket = socket;
    }

    private static MessageWriter ifinfo(int type, int flags, int index, int ifFlags, int change) {
        return NetlinkSocket.message(type, flags).u8(0).u8(0).u16(0).u32(index).u32(ifFlags).u32(change);
    }

    public Optional<Link> get(String name) {
        return getOne(byName(name), "look up link " + name);
    }

    private static MessageWriter byName(String name) {
        LinkNameRules.check(name);
        return ifinfo(RTM_GETLINK, 0, 0, 0, 0).attrString(IFLA_IFNAME, name).attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    }

    /** Looks several links up by name in one round trip; absent ones are empty. */
    public Map<String, Optional<Link>> get(List<String> names) {
        List<String> distinct = names.stream().distinct().toList();
        List<NetlinkSocket.Reply> replies = socket.callAll(distinct.stream().map(Links::byName).toList(),
                distinct.stream().map(n -> "look up link " + n + " in " + socket.where()).toList());
        Map<String, Optional<Link>> out = new LinkedHashMap<>();
        for (int i = 0; i < distinct.size(); i++) {
            out.put(distinct.get(i), found(replies.get(i)));
        }
        return out;
    }

    private static Optional<Link> found(NetlinkSocket.Reply reply) {
        if (reply.errno() == Errno.ENODEV) {
            return Optional.empty();
        }
        return reply.orThrow().stream().filter(r -> r.type() == RTM_NEWLINK).findFirst().map(r -> parse(r.body()));
    }

    public Optional<Link> get(int index) {
        MessageWriter m = ifinfo(RTM_GETLINK, 0, index, 0, 0).attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        return getOne(m, "look up link #" + index);
    }

    private Optional<Link> getOne(MessageWriter m, String what) {
        return found(socket.call(m, what + " in " + socket.where()));
    }

    /** Every link of the namespace. */
    public List<Link> list() {
        MessageWriter m = ifinfo(RTM_GETLINK, NetlinkSocket.NLM_F_DUMP, 0, 0, 0).attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        List<Link> out = new ArrayList<>();
        for (NetlinkSocket.Message r : socket.dump(m, "list links in " + socket.where())) {
            if (r.type() == RTM_NEWLINK) {
                out.add(parse(r.body()));
            }
        }
        return out;
    }

    /**
     * Creates a link; fails with EEXIST when the name is taken. Returns the link as the kernel
     * announced it (NLM_F_ECHO), or looks it up on kernels that do not echo new links.
     */
    public Link create(NewLink spec) {
        int flags = NetlinkSocket.NLM_F_CREATE | NetlinkSocket.NLM_F_EXCL | NetlinkSocket.NLM_F_ECHO;
        MessageWriter m = ifinfo(RTM_NEWLINK, flags, 0, spec.up() ? Link.IFF_UP : 0, spec.up() ? Link.IFF_UP : 0)
                .attrString(IFLA_IFNAME, spec.name());
        if (spec.mtu() > 0) {
            m.attrU32(IFLA_MTU, spec.mtu());
        }
        if (spec.master() > 0) {
            m.attrU32(IFLA_MASTER, spec.master());
        }
        if (spec.kind() instanceof LinkKind.Vlan v) {
            m.attrU32(IFLA_LINK, v.parentIndex());
        }
        int info = m.begin(IFLA_LINKINFO);
        m.attrString(IFLA_INFO_KIND, spec.kind().name());
        switch (spec.kind()) {
            case LinkKind.Bridge b -> { }
            case LinkKind.Vxlan v -> vxlanData(m, v);
            case LinkKind.Veth v -> vethData(m, v);
            case LinkKind.Vlan v -> {
                int data = m.begin(IFLA_INFO_DATA);
                m.attrU16(IFLA_VLAN_ID, v.vlanId());
                m.end(data);
            }
        }
        m.end(info);
        String what = "create " + spec.kind().name() + " link " + spec.name() + " in " + socket.where();
        Link echoed = null;
        for (NetlinkSocket.Message r : socket.request(m, what)) {
            if (r.type() == RTM_NEWLINK) {
                Link l = parse(r.body());
                if (l.name().equals(spec.name())) {
                    echoed = l; // the last announcement is the most complete (master, peer)
                }
            }
        }
        return echoed != null ? echoed : get(spec.name()).orElseThrow(() -> new NetlinkException(what, Errno.ENODEV, "the new link is not there"));
    }

    private static void vxlanData(MessageWriter m, LinkKind.Vxlan v) {
        int data = m.begin(IFLA_INFO_DATA);
        m.attrU32(IFLA_VXLAN_ID, v.vni());
        boolean v4 = v.local() instanceof Inet4Address;
        if (v.remote() != null) {
            m.attr(v4 ? IFLA_VXLAN_GROUP : IFLA_VXLAN_GROUP6, v.remote().getAddress());
        }
        m.attr(v4 ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, v.local().getAddress());
        m.attrBe16(IFLA_VXLAN_PORT, v.port());
        m.attrU8(IFLA_VXLAN_LEARNING, v.learning() ? 1 : 0);
        m.end(data);
    }

    private static void vethData(MessageWriter m, LinkKind.Veth v) {
        int data = m.begin(IFLA_INFO_DATA);
        // VETH_INFO_PEER holds a struct ifinfomsg followed by the peer's own attributes.
        int peer = m.beginRaw(VETH_INFO_PEER);
        m.u8(0).u8(0).u16(0).u32(0).u32(0).u32(0);
        m.attrString(IFLA_IFNAME, v.peerName());
        if (v.peerMtu() > 0) {
            m.attrU32(IFLA_MTU, v.peerMtu());
        }
        if (v.peerNetnsFd() >= 0) {
            m.attrU32(IFLA_NET_NS_FD, v.peerNetnsFd());
        }
        m.end(peer);
        m.end(data);
    }

    /** Changes of an existing link; unset parts stay as they are. */
    public static final class Change {
        private String alias;
        private int mtu;
        private Integer master;
        private Boolean up;
        private int netnsFd = -1;
        private boolean noIpv6LinkLocal;
        private Integer group;

        public Change alias(String a) {
            if (a.length() > MAX_ALIAS) {
                throw new IllegalArgumentException("alias of " + a.length() + " characters is longer than " + MAX_ALIAS);
            }
            this.alias = a;
            return this;
        }

        public Change mtu(int m) {
            this.mtu = m;
            return this;
        }

        /** Joins the bridge {@code index}; 0 leaves any bridge. */
        public Change master(int index) {
            this.master = index;
            return this;
        }

        public Change up(boolean u) {
            this.up = u;
            return this;
        }

        /**
         * No IPv6 link-local address on this link (addrgenmode none): a pure layer-2 port then
         * sends no neighbour discovery or MLD of its own into the segment it bridges.
         */
        public Change noIpv6LinkLocal() {
            this.noIpv6LinkLocal = true;
            return this;
        }

        /** Puts the link into device group {@code g}. */
        public Change group(int g) {
            this.group = g;
            return this;
        }

        /** Moves the link into the namespace behind the descriptor. */
        public Change netns(int fd) {
            this.netnsFd = fd;
            return this;
        }
    }

    /**
     * Applies changes one after the other in one round trip (they reach the kernel in order);
     * the first refusal is thrown after all were answered.
     */
    public void change(int index, List<Change> changes, String what) {
        List<NetlinkSocket.Reply> replies = socket.callAll(changes.stream().map(c -> changeMessage(index, c)).toList(),
                changes.stream().map(c -> what + " in " + socket.where()).toList());
        for (int i = 0; i < replies.size(); i++) {
            NetlinkSocket.Reply r = replies.get(i);
            if (r.errno() == Errno.EAFNOSUPPORT && changes.get(i).noIpv6LinkLocal) {
                changes.get(i).noIpv6LinkLocal = false; // a kernel without IPv6: nothing to turn off
                change(index, changes.get(i), what);
            } else {
                r.orThrow();
            }
        }
    }

    private static MessageWriter changeMessage(int index, Change c) {
        int flags = c.up == null ? 0 : (c.up ? Link.IFF_UP : 0);
        int change = c.up == null ? 0 : Link.IFF_UP;
        MessageWriter m = ifinfo(RTM_NEWLINK, 0, index, flags, change);
        if (c.alias != null) {
            m.attrString(IFLA_IFALIAS, c.alias);
        }
        if (c.mtu > 0) {
            m.attrU32(IFLA_MTU, c.mtu);
        }
        if (c.master != null) {
            m.attrU32(IFLA_MASTER, c.master);
        }
        if (c.netnsFd >= 0) {
            m.attrU32(IFLA_NET_NS_FD, c.netnsFd);
        }
        if (c.group != null) {
            m.attrU32(IFLA_GROUP, c.group);
        }
        if (c.noIpv6LinkLocal) {
            int spec = m.begin(IFLA_AF_SPEC);
            int inet6 = m.begin(Family.AF_INET6);
            m.attrU8(IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
            m.end(inet6);
            m.end(spec);
        }
        return m;
    }

    public void change(int index, Change c, String what) {
        NetlinkSocket.Reply r = socket.call(changeMessage(index, c), what + " in " + socket.where());
        if (r.errno() == Errno.EAFNOSUPPORT && c.noIpv6LinkLocal) {
            // A kernel without IPv6: there is no link-local address to avoid.
            c.noIpv6LinkLocal = false;
            change(index, c, what);
            return;
        }
        r.orThrow();
    }

    /** Deletes a link (a veth takes its peer along); false when it was already gone. */
    public boolean delete(int index, String name) {
        NetlinkSocket.Reply r = socket.call(ifinfo(RTM_DELLINK, 0, index, 0, 0), "delete link " + name + " in " + socket.where());
        if (r.errno() == Errno.ENODEV) {
            return false;
        }
        r.orThrow();
        return true;
    }

    /**
     * Deletes every link of device group {@code group} in one request: the kernel unregisters
     * them as one batch and waits for RCU once, not once per link. Refused as a whole
     * (EOPNOTSUPP) when a member cannot be deleted this way.
     */
    public void deleteGroup(int group) {
        if (group == 0) {
            throw new IllegalArgumentException("group 0 is the default group of every link");
        }
        socket.call(ifinfo(RTM_DELLINK, 0, 0, 0, 0).attrU32(IFLA_GROUP, group), "delete link group " + group + " in " + socket.where())
                .orThrow();
    }

    static Link parse(ByteBuffer body) {
        int index = body.getInt(4);
        int flags = body.getInt(8);
        Attributes a = Attributes.parse(body, IFINFOMSG, body.remaining());
        Attributes info = a.nested(IFLA_LINKINFO);
        String kind = orEmpty(info.string(IFLA_INFO_KIND));
        Attributes data = info.nested(IFLA_INFO_DATA);
        Link.Vxlan vxlan = null;
        int vlanId = 0;
        if (kind.equals("vxlan")) {
            InetAddress remote = data.has(IFLA_VXLAN_GROUP) ? data.address(IFLA_VXLAN_GROUP) : data.address(IFLA_VXLAN_GROUP6);
            InetAddress local = data.has(IFLA_VXLAN_LOCAL) ? data.address(IFLA_VXLAN_LOCAL) : data.address(IFLA_VXLAN_LOCAL6);
            vxlan = new Link.Vxlan(orZero(data.u32(IFLA_VXLAN_ID)), remote, local, orZero(data.be16(IFLA_VXLAN_PORT)),
                    orZero(data.u8(IFLA_VXLAN_LEARNING)) != 0);
        } else if (kind.equals("vlan")) {
            vlanId = orZero(data.u16(IFLA_VLAN_ID));
        }
        return new Link(index, orEmpty(a.string(IFLA_IFNAME)), kind, flags, orZero(a.u32(IFLA_MTU)), orZero(a.u32(IFLA_MASTER)),
                orEmpty(a.string(IFLA_IFALIAS)), orZero(a.u32(IFLA_LINK)), vxlan, vlanId,
                orZero(a.u32(IFLA_GROUP)));
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }
}
