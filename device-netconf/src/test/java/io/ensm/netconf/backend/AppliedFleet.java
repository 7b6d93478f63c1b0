package io.ensm.netconf.backend;

import io.ensm.api.connection.Connection;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.driver.Change;
import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.Drivers;
import io.ensm.netconf.driver.SubInterface;
import io.ensm.netconf.driver.ietf.IetfDriver;
import io.ensm.netconf.session.DeviceSettings;
import io.ensm.netconf.session.SessionPool;
import io.ensm.netconf.transaction.ItemResult;
import io.ensm.netconf.transaction.TransactionListener;
import io.ensm.netconf.transaction.TransactionOptions;
import io.ensm.netconf.transaction.TransactionRunner;
import org.onlab.packet.VlanId;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Connections ensm holds as APPLIED on netconf endpoints, as its start-up finds them after a
 * restart: the store's records, and each one's sub-interface on its box, so that a read-back finds
 * exactly what it expects.
 */
public final class AppliedFleet {

    private AppliedFleet() {}

    /** An endpoint of the fleet: its name, the VLAN pool of its uplink and the first VLAN id it hands out. */
    public record Endpoint(String name, String vlanPool, int firstVlan) {}

    /**
     * {@code count} fabric-VLAN connections of {@code service}, dealt round robin over the
     * endpoints: the k-th of an endpoint has VLAN {@code firstVlan + k}; the i-th connection has the
     * i-th address pair of {@code cidr4} (an IPv4 prefix given as network address and length).
     */
    public static List<StoredConnection> connections(int count, String service, String cidr4, List<Endpoint> endpoints,
                                                     Instant expires) {
        int slash = cidr4.indexOf('/');
        long network = ipv4(cidr4.substring(0, slash));
        long size = 1L << (32 - Integer.parseInt(cidr4.substring(slash + 1)));
        if (2L * count + 2 > size) {
            throw new IllegalArgumentException(cidr4 + " holds fewer than " + count + " address pairs");
        }
        List<StoredConnection> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Endpoint e = endpoints.get(i % endpoints.size());
            int vlan = e.firstVlan() + i / endpoints.size();
            String id = String.format("fleet-%s-%05d", e.name(), i);
            // The address pool's slot i: network + 1 + 2i for the endpoint, the next for the client.
            Allocation a = new Allocation(List.of(text(network + 1 + 2L * i) + "/32"), List.of(text(network + 2 + 2L * i) + "/32"),
                    e.vlanPool(), vlan, 0);
            byte[] reply = Connection.newBuilder().setId(id).setNetworkService(service).build().toByteArray();
            out.add(new StoredConnection(id, e.name(), service, Phase.APPLIED, PlanKind.FABRIC_VLAN, a, null, 1500,
                    new Attachment.FabricVlan(vlan), expires, reply));
        }
        return out;
    }

    /**
     * Writes the sub-interfaces of one endpoint's connections onto its box in one transaction
     * (one commit: a box holding thousands of entries takes long over each), as ensm's driver
     * renders them and as the endpoint's backend expects to read them back: port, VLAN, the pair's
     * box-side address, MTU and marker.
     *
     * @param settings the endpoint's backend settings, as the service gets them
     * @param owner    the owner the service's marks name (its {@code ensm.cluster})
     */
    public static void land(String endpoint, Map<String, String> settings, String owner, List<StoredConnection> connections)
            throws Exception {
        Driver driver = Drivers.byName(settings.get("driver")).orElseThrow();
        List<Change> puts = puts(endpoint, settings, owner, connections);
        TransactionRunner runner = new TransactionRunner(TransactionOptions.DEFAULTS.withConfirmedCommit(false), TransactionListener.NONE);
        SshConnector connector = new SshConnector();
        try (SessionPool pool = new SessionPool(DeviceSettings.parse(endpoint, new io.ensm.core.spi.SettingsReader("endpoint '" + endpoint + "'", settings)), connector::connect)) {
            List<ItemResult<Change>> results = pool.withSession(s -> runner.run(s, puts, new ChangeCodec(driver)));
            for (ItemResult<Change> r : results) {
                if (!r.ok()) {
                    throw new IllegalStateException("landing on " + endpoint + ": " + r.failure().get().getMessage(), r.failure().get());
                }
            }
        } finally {
            connector.close();
        }
    }

    /**
     * The sub-interfaces of one endpoint's connections as {@code <interface>} entries of
     * ietf-interfaces, for a test bed device to load at boot ({@code scripts/netconf-testbed
     * --startup}) instead of {@link #land} writing them: what the {@code ietf} driver renders for
     * them, without the edit operation, each entry declaring its namespace. The same entries, port,
     * VLAN, box-side address, MTU and marker, as a box holds after ensm wrote them.
     *
     * @param settings the endpoint's backend settings ({@code driver} must be {@code ietf}; {@code port-name}, {@code mtu})
     * @param owner    the owner the service's marks name (its {@code ensm.cluster})
     */
    public static String startupEntries(String endpoint, Map<String, String> settings, String owner,
                                        List<StoredConnection> connections) {
        if (!IetfDriver.NAME.equals(settings.get("driver"))) {
            throw new IllegalArgumentException("startup entries are ietf-interfaces entries; driver is " + settings.get("driver"));
        }
        String rendered = new IetfDriver().render(puts(endpoint, settings, owner, connections));
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            Document doc = f.newDocumentBuilder().parse(new InputSource(new StringReader(rendered)));
            Transformer out = TransformerFactory.newInstance().newTransformer();
            out.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter entries = new StringWriter();
            for (Node n = doc.getDocumentElement().getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element entry) {
                    // An edit's operation has no place in a datastore file.
                    entry.removeAttributeNS(NETCONF_NS, "operation");
                    entry.removeAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "nc");
                    out.transform(new DOMSource(entry), new StreamResult(entries));
                    entries.write('\n');
                }
            }
            return entries.toString();
        } catch (Exception e) {
            throw new IllegalStateException("the ietf driver's rendering did not read back as XML", e);
        }
    }

    private static final String NETCONF_NS = "urn:ietf:params:xml:ns:netconf:base:1.0";

    private static List<Change> puts(String endpoint, Map<String, String> settings, String owner, List<StoredConnection> connections) {
        String port = settings.get("port-name");
        int mtu = Integer.parseInt(settings.getOrDefault("mtu", Integer.toString(NetconfBackendProvider.DEFAULT_MTU)));
        return connections.stream().filter(c -> c.endpoint().equals(endpoint))
                .map(c -> (Change) new Change.Put(new SubInterface(port, VlanId.vlanId((short) c.allocation().vlanId()),
                        BoxAddresses.of(c.allocation()), mtu, c.id(), owner)))
                .toList();
    }

    private static long ipv4(String dotted) {
        long v = 0;
        for (String part : dotted.split("\\.")) {
            v = (v << 8) | Integer.parseInt(part);
        }
        return v;
    }

    private static String text(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }
}
