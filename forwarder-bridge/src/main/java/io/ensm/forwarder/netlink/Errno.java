package io.ensm.forwarder.netlink;

import java.util.Map;

/** Linux errno values that rtnetlink returns, with their names and what they mean for an operator. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int EMSGSIZE = 90;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;
    public static final int ETIMEDOUT = 110;

    private record Text(String name, String meaning) {}

    private static final Map<Integer, Text> TEXTS = Map.ofEntries(
            Map.entry(EPERM, new Text("EPERM", "operation not permitted (needs CAP_NET_ADMIN)")),
            Map.entry(ENOENT, new Text("ENOENT", "no such object")),
            Map.entry(ESRCH, new Text("ESRCH", "no such object")),
            Map.entry(EINTR, new Text("EINTR", "interrupted")),
            Map.entry(EBADF, new Text("EBADF", "bad file descriptor")),
            Map.entry(EAGAIN, new Text("EAGAIN", "no answer in time")),
            Map.entry(ENOMEM, new Text("ENOMEM", "out of kernel memory")),
            Map.entry(EACCES, new Text("EACCES", "permission denied")),
            Map.entry(EBUSY, new Text("EBUSY", "device or resource busy")),
            Map.entry(EEXIST, new Text("EEXIST", "already exists")),
            Map.entry(ENODEV, new Text("ENODEV", "no such device")),
            Map.entry(EINVAL, new Text("EINVAL", "invalid argument")),
            Map.entry(ENFILE, new Text("ENFILE", "too many open files in the system")),
            Map.entry(EMFILE, new Text("EMFILE", "too many open files")),
            Map.entry(ENOSPC, new Text("ENOSPC", "no space left")),
            Map.entry(ERANGE, new Text("ERANGE", "value out of range")),
            Map.entry(ENAMETOOLONG, new Text("ENAMETOOLONG", "name too long")),
            Map.entry(EMSGSIZE, new Text("EMSGSIZE", "message too long")),
            Map.entry(EPROTONOSUPPORT, new Text("EPROTONOSUPPORT", "protocol not supported by this kernel")),
            Map.entry(EOPNOTSUPP, new Text("EOPNOTSUPP", "operation not supported by this kernel")),
            Map.entry(EAFNOSUPPORT, new Text("EAFNOSUPPORT", "address family not supported")),
            Map.entry(EADDRINUSE, new Text("EADDRINUSE", "address already in use")),
            Map.entry(EADDRNOTAVAIL, new Text("EADDRNOTAVAIL", "address not available")),
            Map.entry(ENETDOWN, new Text("ENETDOWN", "network is down")),
            Map.entry(ENETUNREACH, new Text("ENETUNREACH", "network unreachable")),
            Map.entry(ENOBUFS, new Text("ENOBUFS", "no buffer space")),
            Map.entry(ETIMEDOUT, new Text("ETIMEDOUT", "timed out")));

    private Errno() {}

    /** E.g. "EEXIST"; "errno 123" for values not listed. */
    public static String name(int errno) {
        Text t = TEXTS.get(errno);
        return t == null ? "errno " + errno : t.name();
    }

    /** E.g. "already exists". */
    public static String meaning(int errno) {
        Text t = TEXTS.get(errno);
        return t == null ? "error " + errno : t.meaning();
    }
}
