package io.ensm.forwarder.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Routes of the main table through RTM_NEWROUTE, RTM_GETROUTE and RTM_DELROUTE. */
public final class Routes {
    private static final int RTM_NEWROUTE = 24;
    private static final int RTM_DELROUTE = 25;
    private static final int RTM_GETROUTE = 26;
    private static final int RTMSG = 12;
    private static final int RTA_DST = 1;
    private static final int RTA_OIF = 4;
    private static final int RTA_GATEWAY = 5;
    private static final int RTA_TABLE = 15;
    private static final int RT_TABLE_MAIN = 254;
    private static final int RTPROT_STATIC = 4;
    private static final int RT_SCOPE_UNIVERSE = 0;
    private static final int RT_SCOPE_LINK = 253;
    private static final int RT_SCOPE_NOWHERE = 255;
    private static final int RTN_UNICAST = 1;

    private final NetlinkSocket socket;

    public Routes(NetlinkSocket socket) {
        this.socket = socket;
    }

    private static MessageWriter rtmsg(int type, int flags, int family, int dstLen, int scope) {
        return NetlinkSocket.message(type, flags).u8(family).u8(dstLen).u8(0).u8(0)
                .u8(RT_TABLE_MAIN).u8(RTPROT_STATIC).u8(scope).u8(RTN_UNICAST).u32(0);
    }

    private static MessageWriter withAttributes(MessageWriter m, Route r) {
        m.attr(RTA_DST, r.destination().getAddress()).attrU32(RTA_TABLE, RT_TABLE_MAIN);
        if (r.gateway() != null) {
            m.attr(RTA_GATEWAY, r.gateway().getAddress());
        }
        if (r.outputIndex() != 0) {
            m.attrU32(RTA_OIF, r.outputIndex());
        }
        return m;
    }

    public void add(Route r) {
        int scope = r.gateway() == null ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
        MessageWriter m = rtmsg(RTM_NEWROUTE, NetlinkSocket.NLM_F_CREATE | NetlinkSocket.NLM_F_EXCL,
                Family.of(r.destination()), r.prefixLength(), scope);
        socket.request(withAttributes(m, r), "add route " + r + " in " + socket.where());
    }

    /** Removes a route; false when it was not there. */
    public boolean delete(Route r) {
        MessageWriter m = rtmsg(RTM_DELROUTE, 0, Family.of(r.destination()), r.prefixLength(), RT_SCOPE_NOWHERE);
        try {
            socket.request(withAttributes(m, r), "delete route " + r + " in " + socket.where());
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ESRCH || e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /** Unicast routes of the main table for IPv4 and IPv6. */
    public List<Route> list() {
        List<Route> out = new ArrayList<>();
        MessageWriter m = NetlinkSocket.message(RTM_GETROUTE, NetlinkSocket.NLM_F_DUMP).u8(Family.AF_UNSPEC).u8(0).u8(0).u8(0)
                .u8(0).u8(0).u8(0).u8(0).u32(0);
        for (NetlinkSocket.Message msg : socket.dump(m, "list routes in " + socket.where())) {
            if (msg.type() == RTM_NEWROUTE) {
                Route r = parse(msg.body());
                if (r != null) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    private static Route parse(ByteBuffer body) {
        int family = Byte.toUnsignedInt(body.get(0));
        int dstLen = Byte.toUnsignedInt(body.get(1));
        int type = Byte.toUnsignedInt(body.get(7));
        Attributes a = Attributes.parse(body, RTMSG, body.remaining());
        Integer table = a.has(RTA_TABLE) ? a.u32(RTA_TABLE) : Integer.valueOf(Byte.toUnsignedInt(body.get(4)));
        if (type != RTN_UNICAST || table != RT_TABLE_MAIN) {
            return null;
        }
        InetAddress dst = a.address(RTA_DST);
        if (dst == null) {
            dst = unspecified(family);
        }
        InetAddress gw = a.address(RTA_GATEWAY);
        int oif = a.has(RTA_OIF) ? a.u32(RTA_OIF) : 0;
        if (dst == null || (gw == null && oif == 0)) {
            return null;
        }
        return new Route(dst, dstLen, gw, oif);
    }

    private static InetAddress unspecified(int family) {
        try {
            return InetAddress.getByAddress(new byte[family == Family.AF_INET ? 4 : 16]);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }
}
