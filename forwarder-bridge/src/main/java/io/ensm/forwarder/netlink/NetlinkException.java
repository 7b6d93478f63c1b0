package io.ensm.forwarder.netlink;

/**
 * A netlink request the kernel refused, or a socket call that failed. The message names the
 * operation, the errno and, when the kernel sent one, its extended-ack text (e.g. "A VXLAN
 * device with the specified VNI already exists").
 */
public final class NetlinkException extends RuntimeException {
    private final int errno;
    private final String operation;
    private final String kernelMessage;

    public NetlinkException(String operation, int errno, String kernelMessage) {
        super(text(operation, errno, kernelMessage));
        this.operation = operation;
        this.errno = errno;
        this.kernelMessage = kernelMessage == null ? "" : kernelMessage;
    }

    static NetlinkException ofErrno(String operation, int errno) {
        return new NetlinkException(operation, errno, "");
    }

    private static String text(String operation, int errno, String kernelMessage) {
        StringBuilder b = new StringBuilder(operation).append(": ").append(Errno.name(errno))
                .append(" (").append(Errno.meaning(errno)).append(')');
        if (kernelMessage != null && !kernelMessage.isBlank()) {
            b.append(": kernel says \"").append(kernelMessage.strip()).append('"');
        }
        return b.toString();
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }

    public String operation() {
        return operation;
    }

    /** The kernel's extended-ack message, or empty. */
    public String kernelMessage() {
        return kernelMessage;
    }
}
