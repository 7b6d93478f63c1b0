package io.ensm.forwarder.netlink;

/** An rtnetlink connection to one network namespace: links, addresses, routes and neighbours. */
public final class Rtnetlink implements AutoCloseable {
    private final NetlinkSocket socket;
    private final Links links;
    private final Addresses addresses;
    private final Routes routes;
    private final Neighbours neighbours;

    private Rtnetlink(NetlinkSocket socket) {
        this.socket = socket;
        this.links = new Links(socket);
        this.addresses = new Addresses(socket);
        this.routes = new Routes(socket);
        this.neighbours = new Neighbours(socket);
    }

    /** The calling thread's namespace. */
    public static Rtnetlink open() {
        return new Rtnetlink(NetlinkSocket.open());
    }

    /** The named namespace (under /var/run/netns). */
    public static Rtnetlink openIn(String netns) {
        return new Rtnetlink(NetlinkSocket.openIn(netns));
    }

    /** The named namespace, or the calling thread's when {@code netns} is empty. */
    public static Rtnetlink openNamedOrCurrent(String netns) {
        return netns == null || netns.isEmpty() ? open() : openIn(netns);
    }

    public Links links() {
        return links;
    }

    public Addresses addresses() {
        return addresses;
    }

    public Routes routes() {
        return routes;
    }

    public Neighbours neighbours() {
        return neighbours;
    }

    /** E.g. "network namespace 'ensm'", for messages. */
    public String where() {
        return socket.where();
    }

    @Override
    public void close() {
        socket.close();
    }
}
