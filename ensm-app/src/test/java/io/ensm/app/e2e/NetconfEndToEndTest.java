package io.ensm.app.e2e;

import io.ensm.api.connection.Connection;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.TestSubInterfaceCodec;
import io.ensm.netconf.testbed.TestSubInterfaceCodec.Found;
import io.ensm.netconf.testbed.UsesNetconfTestbed;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real service in its own JVM with three {@code netconf} endpoints, one per real netconfd
 * device: a Request through the NSM API writes a sub-interface on the right box only, a restart
 * changes nothing on the boxes, Close removes it, and the operator's configuration stays as it is.
 * Boxes are read with OpenSSH through the test bed, not with ensm's code.
 */
@UsesNetconfTestbed(devices = 3)
class NetconfEndToEndTest {
    static final int BOXES = 3;

    @TempDir
    static Path dir;
    static NetconfTestbed bed;
    @AutoClose
    static EnsmProcess ensm;
    @AutoClose
    static Nsc nsc;

    @BeforeAll
    static void start(NetconfTestbed testbed) {
        bed = testbed;
        ensm = new EnsmProcess(dir, config(bed)).start();
        nsc = new Nsc(ensm.target());
    }

    static String service(int box) {
        return "box-" + box + "-net";
    }

    static String endpoint(int box) {
        return "box-" + box;
    }

    static Map<String, String> config(NetconfTestbed bed) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ensm.name", "ensm-netconf-e2e");
        for (int i = 0; i < BOXES; i++) {
            NetconfTestbed.Device d = bed.device(i + 1);
            p.put("ensm.services[" + i + "].name", service(i + 1));
            p.put("ensm.services[" + i + "].payload", "ETHERNET");
            p.put("ensm.services[" + i + "].cidrs[0]", "10.7" + i + ".0.0/24");
            String e = "ensm.endpoints[" + i + "].";
            p.put(e + "name", endpoint(i + 1));
            p.put(e + "service", service(i + 1));
            p.put(e + "backend.type", "netconf");
            p.put(e + "backend.settings.host", d.host());
            p.put(e + "backend.settings.port", Integer.toString(d.port()));
            p.put(e + "backend.settings.username", d.username());
            p.put(e + "backend.settings.password-file", d.passwordFile().toString());
            p.put(e + "backend.settings.known-hosts", d.knownHosts().toString());
            p.put(e + "backend.settings.driver", "ietf");
            p.put(e + "backend.settings.port-name", "eth1");
            p.put(e + "backend.settings.uplink", "ens-up");
            p.put(e + "backend.settings.vlans", "3300-3309");
        }
        p.put("ensm.reconcile-interval", "2s");
        return p;
    }

    /** Every box's interfaces, without netconfd's commit time stamp. */
    static List<String> boxes() {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= BOXES; i++) {
            out.add(bed.independentInterfaces(i).replaceAll("last-modified=\"[^\"]*\"", ""));
        }
        return out;
    }

    static Map<String, Found> box(int i) {
        return TestSubInterfaceCodec.parse(bed.independentInterfaces(i));
    }

    static Instant inTenMinutes() {
        return Instant.now().plus(Duration.ofMinutes(10));
    }

    @Test
    void requestsWriteOnTheRightBoxOnlyARestartChangesNothingAndCloseRemovesThem() throws Exception {
        List<String> untouched = boxes();
        for (int i = 1; i <= BOXES; i++) {
            assertThat(box(i)).as("box %d before", i).containsKeys("eth0", "eth1", "eth2", "eth1.4000");
        }

        List<Connection> replies = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= BOXES; i++) {
            Connection reply = nsc.ns().request(Nsc.request(service(i), inTenMinutes()));
            replies.add(reply);
            int vlan = Integer.parseInt(reply.getMechanism().getParametersOrThrow("vlan-id"));
            String address = reply.getContext().getIpContext().getDstIpAddrs(0);
            String name = "eth1." + vlan;
            names.add(name);

            assertThat(vlan).isBetween(3300, 3309);
            assertThat(box(i).get(name)).as("%s on box %d", name, i)
                    .isEqualTo(new Found("ensm@ensm-netconf-e2e:" + Nsc.ensmId(reply), Integer.toString(vlan), address.replace("/32", "")));
        }
        for (int i = 1; i <= BOXES; i++) {
            Map<String, Found> onBox = box(i);
            for (int j = 1; j <= BOXES; j++) {
                if (j != i) {
                    assertThat(onBox).as("box %d holds no sub-interface of box %d", i, j).doesNotContainKey(names.get(j - 1));
                }
            }
            assertThat(onBox.get("eth1.4000").description()).isEqualTo("operator: management VLAN");
        }

        // A reconciliation pass (every 2 s) runs meanwhile; a restart must find everything in place.
        Thread.sleep(2500);
        List<String> before = boxes();
        nsc.close();
        assertThat(ensm.stop()).as("exit code after SIGTERM").isIn(0, 143);
        assertThat(ensm.log()).contains("event=ensm-stopped");
        ensm.start();
        nsc = new Nsc(ensm.target());
        Thread.sleep(3000);
        assertThat(boxes()).as("boxes after a restart").isEqualTo(before);

        for (int i = 1; i <= BOXES; i++) {
            nsc.ns().close(replies.get(i - 1));
            assertThat(box(i)).as("box %d after Close", i).doesNotContainKey(names.get(i - 1));
        }
        assertThat(boxes()).as("boxes after every Close: as the operator left them").isEqualTo(untouched);
    }
}
