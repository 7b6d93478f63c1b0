package io.ensm.app.reliability;

import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.NetconfTestbedExtension;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One real netconfd box of {@code scripts/netconf-testbed}, a test bed of its own from a base port
 * of its own, so the fault tests can stop, freeze and restart it without disturbing test beds
 * that other tests share. Reads go through OpenSSH (the script), never through ensm's code.
 */
final class NetconfBox implements AutoCloseable {
    /** The mark of the reliability lab's ensm ({@code ensm.name} ensm-reliability, the cluster by default). */
    static final String MARK = "ensm@ensm-reliability:";

    private final NetconfTestbed bed;
    private final List<Long> pids = new ArrayList<>();
    private boolean stopped;

    private NetconfBox(NetconfTestbed bed) {
        this.bed = bed;
    }

    /** Starts one device; skips the test (with the script's reason) where the machine cannot run it. */
    static NetconfBox start(String role, int basePort) {
        return new NetconfBox(NetconfTestbedExtension.startOrSkip(
                () -> NetconfTestbed.startOwn("reliability-" + role, 1, "candidate", basePort)));
    }

    Path dir() {
        return bed.dir();
    }

    int port() {
        return bed.device(1).port();
    }

    /** The settings of a {@code netconf} endpoint on this box (connection part). */
    Map<String, String> connectionSettings() {
        NetconfTestbed.Device d = bed.device(1);
        return Map.of("host", d.host(), "port", Integer.toString(d.port()), "username", d.username(),
                "password-file", d.passwordFile().toString(), "known-hosts", d.knownHosts().toString());
    }

    /** One interface of the box's running configuration. */
    record Found(String description, String vlan, String ipv4) {}

    private static final String IF = "urn:ietf:params:xml:ns:yang:ietf-interfaces";

    /** Every interface of running, read with OpenSSH: name -> what is there. */
    Map<String, Found> interfaces() {
        String reply = bed.independentInterfaces(1);
        String xml = reply.substring(Math.max(0, reply.indexOf("<rpc-reply")));
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            NodeList list = f.newDocumentBuilder().parse(new InputSource(new StringReader(xml))).getElementsByTagNameNS(IF, "interface");
            Map<String, Found> out = new TreeMap<>();
            for (int i = 0; i < list.getLength(); i++) {
                Element e = (Element) list.item(i);
                out.put(text(e, "name"), new Found(text(e, "description"), text(e, "vlan-id"), text(e, "ip")));
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("unparsable read-back of the box: " + e.getMessage() + "\n" + xml, e);
        }
    }

    /** The text of the first descendant with this local name (any namespace), or "". */
    private static String text(Element scope, String local) {
        NodeList l = scope.getElementsByTagNameNS("*", local);
        return l.getLength() == 0 ? "" : l.item(0).getTextContent().strip();
    }

    /** ensm's sub-interfaces on the box: connection id -> what is there. */
    Map<String, Sub> marked() {
        Map<String, Sub> out = new TreeMap<>();
        interfaces().forEach((name, f) -> {
            if (f.description().startsWith(MARK)) {
                Sub previous = out.put(f.description().substring(MARK.length()), new Sub(name, f.vlan(), f.ipv4()));
                if (previous != null) {
                    throw new AssertionError("two sub-interfaces carry the mark of one connection: " + previous + " and " + name);
                }
            }
        });
        return out;
    }

    record Sub(String name, String vlan, String ipv4) {}

    long sshdPid() {
        return bed.pid(1, "sshd");
    }

    long netconfdPid() {
        return bed.pid(1, "netconfd");
    }

    /** The listening sshd and its children (one per SSH connection). */
    List<Long> sshdAndSessions() {
        long sshd = sshdPid();
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(sshd),
                ProcessHandle.of(sshd).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid)).toList();
    }

    /** Cuts every SSH connection on the server side. */
    void dropSessions() {
        bed.dropSessions(1);
    }

    /** Stops the box's sshd (connections and listener): the box is unreachable, netconfd keeps its state. */
    void stopSsh() {
        bed.stopSsh(1);
    }

    /** Starts the sshd again with its own configuration. */
    void startSsh() {
        bed.startSsh(1);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** What the box left behind after {@link #close}: its directory, its processes. */
    List<String> leftovers() {
        List<String> found = new ArrayList<>();
        if (Files.exists(dir())) {
            found.add("test-bed directory " + dir() + " still exists");
        }
        for (long pid : pids) {
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                found.add("test-bed process " + pid + " still runs");
            }
        }
        return found;
    }

    /** Stops the box (the test bed resumes a frozen one first) and waits until its daemons are gone. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        for (String daemon : List.of("sshd", "netconfd")) {
            try {
                pids.add(bed.pid(1, daemon));
            } catch (IllegalStateException e) {
                // Not running: nothing to record.
            }
        }
        bed.close();
        for (long pid : pids) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                sleep(20);
            }
        }
    }
}
