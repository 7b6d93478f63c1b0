package io.ensm.forwarder.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Interface addresses through RTM_NEWADDR, RTM_GETADDR and RTM_DELADDR. */
public final class Addresses {
    private static final int RTM_NEWADDR = 20;
    private static final int RTM_DELADDR = 21;
    private static final int RTM_GETADDR = 22;
    private static final int IFADDRMSG = 8;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;

    private final NetlinkSocket socket;

    public Addresses(NetlinkSocket socket) {
        this.socket = socket;
    }

    private static MessageWriter ifaddr(int type, int flags, int family, int prefix, int index) {
        return NetlinkSocket.message(type, flags).u8(family).u8(prefix).u8(0).u8(0).u32(index);
    }

    public void add(Address a) {
        check(a);
        byte[] raw = a.address().getAddress();
        MessageWriter m = ifaddr(RTM_NEWADDR, NetlinkSocket.NLM_F_CREATE | NetlinkSocket.NLM_F_EXCL, Family.of(a.address()),
                a.prefixLength(), a.index()).attr(IFA_LOCAL, raw).attr(IFA_ADDRESS, raw);
        socket.request(m, "add address " + a + " in " + socket.where());
    }

    /** Removes an address; false when it was not there. */
    public boolean delete(Address a) {
        check(a);
        byte[] raw = a.address().getAddress();
        MessageWriter m = ifaddr(RTM_DELADDR, 0, Family.of(a.address()), a.prefixLength(), a.index())
                .attr(IFA_LOCAL, raw).attr(IFA_ADDRESS, raw);
        try {
            socket.request(m, "delete address " + a + " in " + socket.where());
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EADDRNOTAVAIL || e.errno() == Errno.ENODEV) {
                return false;
            }
            throw e;
        }
    }

    /** Addresses of one interface, or of all when {@code index} is 0. */
    public List<Address> list(int index) {
        List<Address> out = new ArrayList<>();
        for (NetlinkSocket.Message r : socket.dump(ifaddr(RTM_GETADDR, NetlinkSocket.NLM_F_DUMP, Family.AF_UNSPEC, 0, index),
                "list addresses in " + socket.where())) {
            if (r.type() != RTM_NEWADDR) {
                continue;
            }
            Address a = parse(r.body());
            if (a != null && (index == 0 || a.index() == index)) {
                out.add(a);
            }
        }
        return out;
    }

    private static Address parse(ByteBuffer body) {
        int prefix = Byte.toUnsignedInt(body.get(1));
        int index = body.getInt(4);
        Attributes attrs = Attributes.parse(body, IFADDRMSG, body.remaining());
        InetAddress a = attrs.has(IFA_LOCAL) ? attrs.address(IFA_LOCAL) : attrs.address(IFA_ADDRESS);
        return a == null ? null : new Address(index, a, prefix);
    }

    private static void check(Address a) {
        if (a.prefixLength() < 0 || a.prefixLength() > Family.bits(a.address())) {
            throw new IllegalArgumentException("prefix length " + a.prefixLength() + " does not fit " + a.address().getHostAddress());
        }
    }
}
