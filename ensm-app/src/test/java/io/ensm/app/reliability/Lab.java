package io.ensm.app.reliability;

import io.ensm.core.testing.Cmd;
import io.ensm.core.testing.Prerequisites;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.app.e2e.EnsmProcess;
import io.ensm.core.testing.Requests;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/**
 * The whole path on one machine: the real service (its own JVM, root namespace) with one real
 * netconfd box and the {@code bridge} forwarder whose links live in an "ensm" namespace.
 * <pre>
 *   node (VXLAN end, 192.168.81.1) --ul0-- ensm (192.168.81.2; ensm's bridges and VXLANs)
 *                                          ensm: up-steady --veth-- box: eth1 (access port, VLAN 3500)
 *                                          ensm: up-trial  --veth-- box: eth2 (access port, VLAN 3501)
 * </pre>
 * Two {@code netconf} endpoints in {@code uplink-mode: access}: "steady" holds one long-lived
 * connection that must survive everything, "trial" is the one the tests crash and fault. Three
 * independent read-backs: the store file (SQLite, read-only), the box (OpenSSH) and the kernel
 * (iproute2).
 */
final class Lab implements AutoCloseable {
    static final String NODE_UNDERLAY = "192.168.81.1";
    static final String ENSM_UNDERLAY = "192.168.81.2";
    static final String STEADY = "steady";
    static final String TRIAL = "trial";
    static final String STEADY_UPLINK = "up-steady";
    static final String TRIAL_UPLINK = "up-trial";
    /** The fault lab's third endpoint: its port (eth7) is cabled but not in the box's configuration, so the box refuses its edits. */
    static final String REJECT = "reject";
    static final String REJECT_UPLINK = "up-reject";
    static final int ENDPOINTS_WITH_REJECT = 3;
    static final String PREFIX = "ensmr-";
    private static final Pattern ALIAS = Pattern.compile("^\\d+: ([^:@]+)[@:].*? alias ensm@ensm-reliability:(\\S+)", Pattern.MULTILINE);

    final String run;
    final String node;
    final String ensmNs;
    final String boxNs;
    final NetconfBox box;
    final EnsmProcess ensm;
    final Path dir;
    private final List<String> namespaces = new ArrayList<>();
    private final boolean faults;
    private Path tmpfs;
    private ManagedChannel channel;

    /** Skips (with the exact reason), or fails in CI, where namespaces cannot be made. */
    static void requireRoot() {
        Prerequisites.here().requireRoot("(CAP_NET_ADMIN, CAP_SYS_ADMIN) for network namespaces and the box's sshd");
        Prerequisites.here().requireCommand("ip", "iproute2; scripts/test installs it");
    }

    /**
     * @param extra  settings added to (or replacing) the defaults, e.g. short timeouts
     * @param faults adds the endpoint whose edits the box refuses
     */
    Lab(String role, Path dir, int basePort, Map<String, String> extra, boolean faults) {
        requireRoot();
        this.dir = dir;
        this.faults = faults;
        byte[] r = new byte[3];
        ThreadLocalRandom.current().nextBytes(r);
        this.run = PREFIX + HexFormat.of().formatHex(r);
        NetconfBox started = null;
        try {
            node = namespace("node");
            ensmNs = namespace("ensm");
            boxNs = namespace("box");
            Cmd.run("ip", "-n", node, "link", "add", "ul0", "type", "veth", "peer", "name", "ul0", "netns", ensmNs);
            Cmd.run("ip", "-n", node, "addr", "add", NODE_UNDERLAY + "/24", "dev", "ul0");
            Cmd.run("ip", "-n", ensmNs, "addr", "add", ENSM_UNDERLAY + "/24", "dev", "ul0");
            Cmd.run("ip", "-n", node, "link", "set", "ul0", "up");
            Cmd.run("ip", "-n", ensmNs, "link", "set", "ul0", "up");
            cable(STEADY_UPLINK, "eth1");
            cable(TRIAL_UPLINK, "eth2");
            if (faults) {
                cable(REJECT_UPLINK, "eth7");
            }
            started = NetconfBox.start(role, basePort);
            box = started;
            ensm = new EnsmProcess(dir, settings(started, extra));
        } catch (RuntimeException | Error e) {
            if (started != null) {
                started.close();
            }
            deleteNamespaces();
            throw e;
        }
    }

    /** ensm's uplink to one access port of the box. */
    private void cable(String uplink, String port) {
        Cmd.run("ip", "-n", ensmNs, "link", "add", uplink, "type", "veth", "peer", "name", port, "netns", boxNs);
        Cmd.run("ip", "-n", ensmNs, "link", "set", uplink, "up");
        Cmd.run("ip", "-n", boxNs, "link", "set", port, "up");
    }

    private String namespace(String role) {
        String name = run + "-" + role;
        Cmd.run("ip", "netns", "add", name);
        namespaces.add(name);
        Cmd.run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    private Map<String, String> settings(NetconfBox b, Map<String, String> extra) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ensm.name", "ensm-reliability");
        endpoint(p, 0, STEADY, "eth1", STEADY_UPLINK, "3500", "10.81.0.0/24", b);
        endpoint(p, 1, TRIAL, "eth2", TRIAL_UPLINK, "3501", "10.82.0.0/24", b);
        if (faults) {
            endpoint(p, 2, REJECT, "eth7", REJECT_UPLINK, "3502", "10.83.0.0/24", b);
        }
        p.put("ensm.forwarder.type", "bridge");
        p.put("ensm.forwarder.settings.local-ip", ENSM_UNDERLAY);
        p.put("ensm.forwarder.settings.netns", ensmNs);
        p.put("ensm.reconcile-interval", "60s");
        p.putAll(extra);
        return p;
    }

    private static void endpoint(Map<String, String> p, int i, String name, String port, String uplink, String vlan, String cidr,
                                 NetconfBox b) {
        netconfEndpoint(p, i, name, b, port, uplink, cidr);
        String e = "ensm.endpoints[" + i + "].backend.settings.";
        p.put(e + "uplink-mode", "access");
        p.put(e + "vlans", vlan);
    }

    /** Service {@code <name>-net} over {@code cidr} and a netconf endpoint {@code name} on {@code port} of the box (ietf driver). */
    static void netconfEndpoint(Map<String, String> p, int i, String name, NetconfBox b, String port, String uplink, String cidr) {
        p.put("ensm.services[" + i + "].name", name + "-net");
        p.put("ensm.services[" + i + "].payload", "ETHERNET");
        p.put("ensm.services[" + i + "].cidrs[0]", cidr);
        String e = "ensm.endpoints[" + i + "].";
        p.put(e + "name", name);
        p.put(e + "service", name + "-net");
        p.put(e + "backend.type", "netconf");
        b.connectionSettings().forEach((k, v) -> p.put(e + "backend.settings." + k, v));
        p.put(e + "backend.settings.driver", "ietf");
        p.put(e + "backend.settings.port-name", port);
        p.put(e + "backend.settings.uplink", uplink);
    }

    /** Puts the store's directory on a tmpfs of {@code size} (before the service first starts), so it can be filled. */
    void storeOnTmpfs(String size) {
        Path data = ensm.dataDir();
        try {
            java.nio.file.Files.createDirectories(data);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Cmd.run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "ensm-reliability-store", data.toString());
        tmpfs = data;
    }

    // --- calls -------------------------------------------------------------------------------

    NetworkServiceGrpc.NetworkServiceBlockingStub ns(Duration deadline) {
        if (channel == null) {
            channel = NettyChannelBuilder.forTarget(ensm.target()).usePlaintext().build();
        }
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A Request for {@code endpoint}'s service as an NSC's forwarder on the node sends it (VXLAN from the node). */
    static NetworkServiceRequest request(String endpoint, Duration lifetime) {
        return Requests.request().service(endpoint + "-net").expires(Instant.now().plus(lifetime))
                .mechanisms(Requests.vxlan(NODE_UNDERLAY, 4789)).build();
    }

    /** A Close by ensm's own connection id, as an operator (or a caller that lost the reply) sends it. */
    static Connection byOwnId(String id) {
        return Connection.newBuilder().setId(id).build();
    }

    /** ensm's own id in a reply: the segment after the caller's. */
    static String ownId(Connection reply) {
        return reply.getPath().getPathSegments(reply.getPath().getIndex() + 1).getId();
    }

    // --- independent read-backs ------------------------------------------------------------------

    /** The store file, read-only with SQLite: connection id -> phase. */
    Map<String, String> store() {
        return store(ensm);
    }

    /** The store file of a service, read-only with SQLite: connection id -> phase. */
    static Map<String, String> store(EnsmProcess ensm) {
        Path file = ensm.dataDir().resolve("ensm.db");
        Map<String, String> out = new TreeMap<>();
        try (var c = DriverManager.getConnection("jdbc:sqlite:file:" + file + "?mode=ro");
             var s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            try (ResultSet rs = s.executeQuery("SELECT id, phase FROM connection")) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the store file " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Links in ensm's namespace carrying ensm's mark: link name -> connection id. */
    Map<String, String> kernel() {
        Map<String, String> out = new TreeMap<>();
        Matcher m = ALIAS.matcher(Cmd.run("ip", "-n", ensmNs, "-d", "-o", "link", "show"));
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    /** Connection ids with at least one marked link. */
    TreeSet<String> kernelIds() {
        return new TreeSet<>(kernel().values());
    }

    /** The bridge an uplink is enslaved to, or "" when none. */
    String masterOf(String uplink) {
        String line = Cmd.run("ip", "-n", ensmNs, "-o", "link", "show", "dev", uplink);
        Matcher m = Pattern.compile(" master (\\S+)").matcher(line);
        return m.find() ? m.group(1) : "";
    }

    /** The connection whose marked bridge holds {@code uplink}, or "" when it is in none. */
    String uplinkOwner(String uplink) {
        String master = masterOf(uplink);
        return master.isEmpty() ? "" : kernel().getOrDefault(master, "unmarked bridge " + master);
    }

    /** One ping from the node's namespace. */
    boolean ping(String fromNs, String ip) {
        return Cmd.inNetns(fromNs, "ping", "-c", "2", "-i", "0.2", "-W", "2", "-q", ip).ok();
    }

    /**
     * Gives a connection's two ends their addresses as the NSC's forwarder and the box would: the
     * node gets a VXLAN end with the reply's VNI and the client address, the box port the endpoint
     * address.
     */
    void wire(Connection reply, String nodeVxlan, String boxPort) {
        wire(reply.getMechanism().getParametersOrThrow("vni"), reply.getMechanism().getParametersOrThrow("dst_port"),
                reply.getContext().getIpContext().getSrcIpAddrs(0).replace("/32", ""),
                reply.getContext().getIpContext().getDstIpAddrs(0).replace("/32", ""), nodeVxlan, boxPort);
    }

    /**
     * As {@link #wire(Connection, String, String)} for a connection whose reply never reached the
     * caller: VNI and addresses come from the store file, the port is ensm's default.
     * Returns the box-side address.
     */
    String wireFromStore(String id, String nodeVxlan, String boxPort) {
        Path file = ensm.dataDir().resolve("ensm.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:file:" + file + "?mode=ro");
             var s = c.prepareStatement("SELECT vni, client_addrs, endpoint_addrs FROM connection WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("connection " + id + " is not in the store");
                }
                String src = rs.getString(2).split("[/,]")[0];
                String dst = rs.getString(3).split("[/,]")[0];
                wire(Integer.toString(rs.getInt(1)), "4789", src, dst, nodeVxlan, boxPort);
                return dst;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the store file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes what {@link #wire} added. */
    void unwire(String nodeVxlan, String boxPort) {
        Cmd.exec("ip", "-n", node, "link", "del", nodeVxlan);
        Cmd.exec("ip", "-n", boxNs, "addr", "flush", "dev", boxPort);
    }

    private void wire(String vni, String dstPort, String src, String dst, String nodeVxlan, String boxPort) {
        Cmd.run("ip", "-n", node, "link", "add", nodeVxlan, "mtu", "1450", "type", "vxlan", "id", vni, "remote", ENSM_UNDERLAY,
                "local", NODE_UNDERLAY, "dstport", dstPort);
        Cmd.run("ip", "-n", node, "addr", "add", src + "/32", "dev", nodeVxlan);
        Cmd.run("ip", "-n", node, "link", "set", nodeVxlan, "up");
        Cmd.run("ip", "-n", node, "route", "add", dst + "/32", "dev", nodeVxlan);
        Cmd.run("ip", "-n", boxNs, "addr", "add", dst + "/32", "dev", boxPort);
        Cmd.run("ip", "-n", boxNs, "route", "add", src + "/32", "dev", boxPort);
    }

    // --- teardown ----------------------------------------------------------------------------------

    /**
     * Stops everything, also after a failure, and reports what was left behind: the service's
     * process, the box's processes and directory, this run's namespaces, marked links in the host.
     */
    List<String> closeAndCheck() {
        List<String> problems = new ArrayList<>();
        try {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long pid = ensm.isAlive() ? ensm.pid() : -1;
        ensm.kill();
        if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            problems.add("ensm process " + pid + " still runs");
        }
        box.close();
        problems.addAll(box.leftovers());
        if (tmpfs != null) {
            Cmd.Result r = Cmd.exec("umount", tmpfs.toString());
            if (!r.ok()) {
                problems.add("could not unmount the store's tmpfs " + tmpfs + ": " + r.output().strip());
            }
        }
        problems.addAll(deleteNamespaces());
        for (String line : Cmd.run("ip", "netns", "list").split("\n")) {
            if (line.startsWith(run)) {
                problems.add("namespace " + line.strip() + " still exists");
            }
        }
        String hostLinks = Cmd.run("ip", "-d", "-o", "link", "show");
        if (hostLinks.contains("alias ensm:") || hostLinks.contains("alias ensm@")) {
            problems.add("the host namespace holds a link marked by an ensm");
        }
        return problems;
    }

    private List<String> deleteNamespaces() {
        List<String> problems = new ArrayList<>();
        for (String n : namespaces.reversed()) {
            Cmd.Result r = Cmd.exec("ip", "netns", "del", n);
            if (!r.ok()) {
                problems.add("could not delete namespace " + n + ": " + r.output().strip());
            }
        }
        namespaces.clear();
        return problems;
    }

    @Override
    public void close() {
        List<String> problems = closeAndCheck();
        if (!problems.isEmpty()) {
            throw new AssertionError("leak check: " + String.join("; ", problems));
        }
    }
}
