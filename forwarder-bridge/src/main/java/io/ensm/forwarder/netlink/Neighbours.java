package io.ensm.forwarder.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Neighbour entries through RTM_NEWNEIGH, RTM_GETNEIGH and RTM_DELNEIGH: IP neighbours (ARP/ND)
 * and the forwarding database of bridges and VXLAN devices.
 */
public final class Neighbours {
    private static final int RTM_NEWNEIGH = 28;
    private static final int RTM_DELNEIGH = 29;
    private static final int RTM_GETNEIGH = 30;
    private static final int NDMSG = 12;
    private static final int NDA_DST = 1;
    private static final int NDA_LLADDR = 2;
    private static final int NDA_PORT = 6;
    private static final int NDA_IFINDEX = 8;
    private static final int NUD_NOARP = 0x40;
    private static final int NUD_PERMANENT = 0x80;
    private static final int NTF_SELF = 0x02;

    private final NetlinkSocket socket;

    public Neighbours(NetlinkSocket socket) {
        this.socket = socket;
    }

    private static MessageWriter ndmsg(int type, int flags, int family, int index, int state, int ntf) {
        return NetlinkSocket.message(type, flags).u8(family).u8(0).u16(0).u32(index).u16(state).u8(ntf).u8(0);
    }

    /** Adds (or replaces) a permanent IP neighbour. */
    public void add(Neighbour n) {
        MessageWriter m = ndmsg(RTM_NEWNEIGH, NetlinkSocket.NLM_F_CREATE | NetlinkSocket.NLM_F_REPLACE,
                Family.of(n.destination()), n.index(), NUD_PERMANENT, 0)
                .attr(NDA_DST, n.destination().getAddress()).attr(NDA_LLADDR, n.mac());
        socket.request(m, "add neighbour " + n + " in " + socket.where());
    }

    public boolean delete(Neighbour n) {
        MessageWriter m = ndmsg(RTM_DELNEIGH, 0, Family.of(n.destination()), n.index(), 0, 0)
                .attr(NDA_DST, n.destination().getAddress());
        return deleting(m, "delete neighbour " + n);
    }

    /** IP neighbours of one interface (0: all). */
    public List<Neighbour> list(int index) {
        return dump(Family.AF_UNSPEC, index, "list neighbours");
    }

    /**
     * Appends a forwarding entry to a VXLAN device: frames for {@code mac} (all zeros: the
     * default destination) go to {@code destination} on UDP {@code port}.
     */
    public void addFdb(Neighbour n) {
        MessageWriter m = ndmsg(RTM_NEWNEIGH, NetlinkSocket.NLM_F_CREATE | NetlinkSocket.NLM_F_APPEND, Family.AF_BRIDGE,
                n.index(), NUD_PERMANENT | NUD_NOARP, NTF_SELF).attr(NDA_LLADDR, n.mac()).attr(NDA_DST, n.destination().getAddress());
        if (n.port() != 0) {
            m.attrBe16(NDA_PORT, n.port());
        }
        socket.request(m, "add forwarding entry " + n + " in " + socket.where());
    }

    public boolean deleteFdb(Neighbour n) {
        MessageWriter m = ndmsg(RTM_DELNEIGH, 0, Family.AF_BRIDGE, n.index(), 0, NTF_SELF).attr(NDA_LLADDR, n.mac());
        if (n.destination() != null) {
            m.attr(NDA_DST, n.destination().getAddress());
        }
        if (n.port() != 0) {
            m.attrBe16(NDA_PORT, n.port());
        }
        return deleting(m, "delete forwarding entry " + n);
    }

    /** Forwarding entries of one device (0: all). */
    public List<Neighbour> fdb(int index) {
        return dump(Family.AF_BRIDGE, index, "list forwarding entries");
    }

    private boolean deleting(MessageWriter m, String what) {
        try {
            socket.request(m, what + " in " + socket.where());
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENODEV) {
                return false;
            }
            throw e;
        }
    }

    private List<Neighbour> dump(int family, int index, String what) {
        List<Neighbour> out = new ArrayList<>();
        // With strict checking the kernel filters by interface itself: the FDB dump takes it in the
        // header, the neighbour dump only as an attribute.
        boolean fdb = family == Family.AF_BRIDGE;
        MessageWriter m = ndmsg(RTM_GETNEIGH, NetlinkSocket.NLM_F_DUMP, family, fdb ? index : 0, 0, 0);
        if (!fdb && index != 0) {
            m.attrU32(NDA_IFINDEX, index);
        }
        for (NetlinkSocket.Message r : socket.dump(m, what + " in " + socket.where())) {
            if (r.type() == RTM_NEWNEIGH) {
                Neighbour n = parse(r.body());
                if (index == 0 || n.index() == index) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    private static Neighbour parse(ByteBuffer body) {
        int index = body.getInt(4);
        Attributes a = Attributes.parse(body, NDMSG, body.remaining());
        int port = a.has(NDA_PORT) ? a.be16(NDA_PORT) : 0;
        byte[] mac = a.bytes(NDA_LLADDR);
        return new Neighbour(index, a.address(NDA_DST), mac == null ? null : Arrays.copyOf(mac, mac.length), port);
    }
}
