package io.ensm.tf.vncdouble;

import io.ensm.tf.testbed.OpenSdn;
import io.ensm.tf.testbed.RealOpenSdn;
import io.ensm.tf.testbed.TfRest;
import io.ensm.tf.testbed.TfWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The double answers as OpenSDN's config API server does: each case sends the same requests to
 * both (each with a fresh {@link TfWorld}) and compares what came back, status and body, after
 * the names and uuids that differ by nature (the world's tag, generated uuids, the URL) are
 * replaced by placeholders. Answers that carry server internals (whole objects on read) are
 * compared through the fields ensm reads.
 */
@RealOpenSdn
class VncApiContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** One API with its world, and what it answered so far. */
    static final class Side {
        final TfRest rest;
        final TfWorld world;
        final List<String> transcript = new ArrayList<>();

        Side(String url) {
            rest = new TfRest(url);
            world = TfWorld.create(rest);
        }

        /** Sends and records "status body". */
        TfRest.Answer send(String method, String path, String body) {
            TfRest.Answer a = rest.send(method, path, body);
            transcript.add(a.status() + " " + a.body());
            return a;
        }

        /** Records what a function of the answer says (for answers compared by some fields only). */
        TfRest.Answer send(String method, String path, String body, Function<TfRest.Answer, String> view) {
            TfRest.Answer a = rest.send(method, path, body);
            transcript.add(a.status() + " " + view.apply(a));
            return a;
        }

        void note(String line) {
            transcript.add(line);
        }

        String tag() {
            return world.tag();
        }

        String project() {
            return world.project();
        }

        String vn() {
            return "['default-domain','" + world.project() + "','blue']";
        }

        /** The transcript with everything that differs by nature replaced by a placeholder. */
        List<String> normalized() {
            Map<String, String> names = new LinkedHashMap<>();
            names.put(rest.base(), "${api}");
            names.put(world.projectUuid(), "${project-uuid}");
            names.put(world.networkUuid(), "${network-uuid}");
            names.put(world.ipamUuid(), "${ipam-uuid}");
            names.put(world.fabricUuid(), "${fabric-uuid}");
            names.put(world.portGroupUuid(), "${port-group-uuid}");
            for (int i = 0; i < world.ports().size(); i++) {
                names.put(world.port(i), "${port-" + (i + 1) + "-uuid}");
            }
            names.put(world.tag(), "${tag}");
            Map<String, String> others = new LinkedHashMap<>();
            List<String> out = new ArrayList<>();
            for (String line : transcript) {
                String s = canonicalJson(line);
                for (Map.Entry<String, String> e : names.entrySet()) {
                    s = s.replace(e.getKey(), e.getValue());
                }
                Matcher m = UUID.matcher(s);
                StringBuilder b = new StringBuilder();
                while (m.find()) {
                    m.appendReplacement(b, Matcher.quoteReplacement(others.computeIfAbsent(m.group(), k -> "${uuid-" + (others.size() + 1) + "}")));
                }
                m.appendTail(b);
                out.add(b.toString());
            }
            return out;
        }
    }

    Side real;
    Side dbl;
    VncApiDouble api;

    @BeforeEach
    void start(OpenSdn server) {
        real = new Side(server.url());
        api = VncApiDouble.start();
        dbl = new Side(api.url());
    }

    @AfterEach
    void stop() {
        api.close();
    }

    interface Case {
        void run(Side side);
    }

    void sameOnBoth(Case c) {
        c.run(real);
        c.run(dbl);
        assertThat(dbl.normalized()).as("the double's answers, against OpenSDN's").isEqualTo(real.normalized());
    }

    static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    /** A JSON body with its keys sorted, so that key order does not count; anything else as it is. */
    static String canonicalJson(String line) {
        int space = line.indexOf(' ');
        String body = line.substring(space + 1);
        if (!body.startsWith("{")) {
            return line;
        }
        try {
            return line.substring(0, space + 1) + sorted(JSON.readTree(body));
        } catch (JacksonException e) {
            return line;
        }
    }

    private static JsonNode sorted(JsonNode n) {
        if (n instanceof ObjectNode o) {
            TreeMap<String, JsonNode> keys = new TreeMap<>();
            o.properties().forEach(e -> keys.put(e.getKey(), sorted(e.getValue())));
            ObjectNode out = NODES.objectNode();
            keys.forEach(out::set);
            return out;
        }
        if (n instanceof ArrayNode a) {
            ArrayNode out = NODES.arrayNode();
            a.forEach(x -> out.add(sorted(x)));
            return out;
        }
        return n;
    }

    static String uuidOf(TfRest.Answer a, String type) {
        return a.json().path(type).path("uuid").asString();
    }

    String vmiBody(Side s, String name, int vlan, String portGroup) {
        String profile = "{\\\"local_link_information\\\":[{\\\"switch_info\\\":\\\"" + s.world.router()
                + "\\\",\\\"port_id\\\":\\\"xe-0/0/1\\\",\\\"fabric\\\":\\\"" + s.world.fabric() + "\\\"}]}";
        return json("{'virtual-machine-interface':{'fq_name':['default-domain','" + s.project() + "','" + name + "'],'parent_type':'project',"
                + "'virtual_network_refs':[{'to':" + s.vn() + "}],'virtual_machine_interface_properties':{'sub_interface_vlan_tag':" + vlan + "},"
                + "'virtual_machine_interface_bindings':{'key_value_pair':[{'key':'vnic_type','value':'baremetal'},"
                + "{'key':'vpg','value':'" + portGroup + "'},{'key':'profile','value':'" + profile + "'}]}}}");
    }

    String iipBody(Side s, String name, String address) {
        return json("{'instance-ip':{'fq_name':['" + name + "-" + s.tag() + "'],'instance_ip_address':'" + address + "',"
                + "'virtual_network_refs':[{'to':" + s.vn() + "}]}}");
    }

    @Test
    void createAnswersTheIdentityAndTheSameNameOrUuidAgainIs409() {
        sameOnBoth(s -> {
            TfRest.Answer ipam = s.send("POST", "/network-ipams", json("{'network-ipam':{'fq_name':['default-domain','" + s.project()
                    + "','ipam2'],'parent_type':'project'}}"));
            s.send("POST", "/network-ipams", json("{'network-ipam':{'fq_name':['default-domain','" + s.project()
                    + "','ipam2'],'parent_type':'project'}}"));
            s.send("POST", "/network-ipams", json("{'network-ipam':{'fq_name':['default-domain','" + s.project()
                    + "','ipam3'],'parent_type':'project','uuid':'" + uuidOf(ipam, "network-ipam") + "'}}"));
            s.send("POST", "/instance-ips", iipBody(s, "a", "10.60.0.9"));
        });
    }

    @Test
    void aMissingParentAnUnknownIdAndAnUnknownTypeAre404() {
        sameOnBoth(s -> {
            s.send("POST", "/virtual-networks", json("{'virtual-network':{'fq_name':['default-domain','nope-" + s.tag()
                    + "','x'],'parent_type':'project'}}"));
            s.send("GET", "/virtual-network/00000000-0000-0000-0000-000000000000", null);
            s.send("GET", "/instance-ip/" + s.world.networkUuid(), null);
            s.send("DELETE", "/virtual-network/00000000-0000-0000-0000-000000000000", null);
            s.send("POST", "/fqname-to-id", json("{'type':'virtual-network','fq_name':['default-domain','" + s.project() + "','red']}"));
            s.send("POST", "/fqname-to-id", json("{'type':'virtual-nothing','fq_name':['x']}"));
            s.send("POST", "/fqname-to-id", json("{'type':'virtual_network','fq_name':" + s.vn() + "}"));
        });
    }

    @Test
    void refsAreResolvedByFqNameAndOneByUuidAloneFails() {
        sameOnBoth(s -> {
            s.send("POST", "/instance-ips", json("{'instance-ip':{'fq_name':['r1-" + s.tag() + "'],'instance_ip_address':'10.60.0.9',"
                    + "'virtual_network_refs':[{'uuid':'" + s.world.networkUuid() + "'}]}}"));
            s.send("POST", "/virtual-machine-interfaces", json("{'virtual-machine-interface':{'fq_name':['default-domain','" + s.project()
                    + "','x'],'parent_type':'project','virtual_network_refs':[{'uuid':'" + s.world.networkUuid() + "'}]}}"));
            // a ref that names nothing: TF's message goes on with its own dump of the object, so the start is compared
            s.send("POST", "/instance-ips", json("{'instance-ip':{'fq_name':['r2-" + s.tag() + "'],'instance_ip_address':'10.60.0.9',"
                    + "'virtual_network_refs':[{'to':['default-domain','" + s.project() + "','red']}]}}"),
                    a -> a.body().substring(0, Math.min(a.body().length(), "Unknown reference in resource create".length())));
            // the fq_name counts, not a uuid sent beside it
            TfRest.Answer ok = s.send("POST", "/instance-ips", json("{'instance-ip':{'fq_name':['r3-" + s.tag() + "'],'instance_ip_address':"
                    + "'10.60.0.9','virtual_network_refs':[{'to':" + s.vn() + ",'uuid':'" + s.world.ipamUuid() + "'}]}}"));
            s.note(s.rest.fields("instance-ip", uuidOf(ok, "instance-ip")).path("virtual_network_refs").get(0).path("uuid").asString());
        });
    }

    @Test
    void aPortGroupIsCreatedFirstAndItsInterfacesAddedAfter() {
        sameOnBoth(s -> {
            s.send("POST", "/virtual-port-groups", json("{'virtual-port-group':{'fq_name':['default-global-system-config','"
                    + s.world.fabric() + "','g2'],'parent_type':'fabric','physical_interface_refs':[{'to':['default-global-system-config','"
                    + s.world.router() + "','xe-0/0/2'],'attr':null}]}}"));
            TfRest.Answer g = s.send("POST", "/virtual-port-groups", json("{'virtual-port-group':{'fq_name':['default-global-system-config','"
                    + s.world.fabric() + "','g3'],'parent_type':'fabric'}}"));
            s.send("POST", "/ref-update", json("{'type':'virtual-port-group','uuid':'" + uuidOf(g, "virtual-port-group")
                    + "','ref-type':'physical-interface','ref-uuid':'" + s.world.port(1) + "','operation':'ADD','attr':null}"));
        });
    }

    @Test
    void refUpdateRefusesUnknownIdsAndOperations() {
        sameOnBoth(s -> {
            String add = "{'type':'virtual-port-group','uuid':'" + s.world.portGroupUuid() + "','ref-type':'physical-interface',"
                    + "'ref-uuid':'" + s.world.port(2) + "','operation':'ADD'}";
            s.send("POST", "/ref-update", json(add.replace(s.world.portGroupUuid(), "00000000-0000-0000-0000-000000000000")));
            s.send("POST", "/ref-update", json(add.replace(s.world.port(2), "00000000-0000-0000-0000-000000000000")));
            s.send("POST", "/ref-update", json(add.replace("ADD", "MOVE")));
            s.send("POST", "/ref-update", json(add));
            s.send("POST", "/ref-update", json(add.replace("ADD", "DELETE")));
        });
    }

    @Test
    void aBareMetalInterfaceIsBoundToItsGroupWithItsVlanAndTheVlanChecksOfAServiceProviderFabric() {
        sameOnBoth(s -> {
            TfRest.Answer first = s.send("POST", "/virtual-machine-interfaces", vmiBody(s, "p1", 300, s.world.portGroup()));
            ObjectNode vmi = s.rest.fields("virtual-machine-interface", uuidOf(first, "virtual-machine-interface"));
            s.note("vpg " + TfRest.refUuids(vmi, "virtual_port_group_refs") + " vlan "
                    + vmi.path("virtual_port_group_refs").get(0).path("attr").path("vlan_tag"));
            s.note("vpg back refs " + TfRest.refUuids(vmi, "virtual_port_group_back_refs"));
            s.note("bindings " + bindings(vmi));
            s.note("mac " + vmi.path("virtual_machine_interface_mac_addresses").path("mac_address").size());
            s.send("POST", "/virtual-machine-interfaces", vmiBody(s, "p2", 300, s.world.portGroup()));
            s.send("POST", "/virtual-machine-interfaces", vmiBody(s, "p3", 301, s.world.portGroup()));
            s.send("POST", "/virtual-machine-interfaces", vmiBody(s, "p4", 4095, s.world.portGroup()));
            s.note("group refs " + TfRest.refUuids(s.rest.fields("virtual-port-group", s.world.portGroupUuid()),
                    "virtual_machine_interface_refs").size());
            s.send("DELETE", "/virtual-machine-interface/" + uuidOf(first, "virtual-machine-interface"), null);
            s.note("group refs " + TfRest.refUuids(s.rest.fields("virtual-port-group", s.world.portGroupUuid()),
                    "virtual_machine_interface_refs").size());
        });
    }

    private static List<String> bindings(JsonNode vmi) {
        List<String> out = new ArrayList<>();
        vmi.path("virtual_machine_interface_bindings").path("key_value_pair").forEach(p -> out.add(p.path("key").asString()));
        return out.stream().sorted().toList();
    }

    @Test
    void anEnterpriseFabricAllowsOneVlanPerNetworkOnAGroup() {
        sameOnBoth(s -> {
            String fabric = "campus-" + s.tag();
            TfWorld.fabric(s.rest, fabric, true);
            TfWorld.portGroup(s.rest, fabric, "campus-group", s.world.port(2));
            String link = "\\\"switch_info\\\":\\\"" + s.world.router() + "\\\",\\\"port_id\\\":\\\"xe-0/0/3\\\",\\\"fabric\\\":\\\"" + fabric + "\\\"";
            for (String[] vmi : new String[][] {{"e1", "300"}, {"e2", "301"}}) {
                s.send("POST", "/virtual-machine-interfaces", vmiBody(s, vmi[0], Integer.parseInt(vmi[1]), "campus-group")
                        .replace("\\\"switch_info\\\":\\\"" + s.world.router() + "\\\",\\\"port_id\\\":\\\"xe-0/0/1\\\",\\\"fabric\\\":\\\""
                                + s.world.fabric() + "\\\"", link));
            }
        });
    }

    @Test
    void aPortOfAnotherGroupOrAnUnknownPortCannotBeBound() {
        sameOnBoth(s -> {
            s.send("POST", "/ref-update", json("{'type':'virtual-port-group','uuid':'" + s.world.portGroupUuid()
                    + "','ref-type':'physical-interface','ref-uuid':'" + s.world.port(0) + "','operation':'DELETE'}"));
            String other = TfWorld.portGroup(s.rest, s.world.fabric(), "other-group", s.world.port(0));
            s.send("POST", "/virtual-machine-interfaces", vmiBody(s, "p1", 300, s.world.portGroup()));
            s.rest.remove("virtual-port-group", other);
            s.rest.remove("physical-interface", s.world.port(0));
            s.send("POST", "/virtual-machine-interfaces", vmiBody(s, "p2", 300, s.world.portGroup()));
        });
    }

    @Test
    void instanceIpsGetNoAddressTfKeepsForItselfAndNoneInUse() {
        sameOnBoth(s -> {
            s.note("subnets " + subnets(s.rest.fields("virtual-network", s.world.networkUuid())));
            TfRest.Answer first = s.send("POST", "/instance-ips", iipBody(s, "a", "10.60.0.9"));
            s.send("POST", "/instance-ips", iipBody(s, "b", "10.60.0.9"));
            for (String reserved : List.of("10.60.0.0", "10.60.0.253", "10.60.0.255", "fd00:60::", "fd00:60::ffff:ffff:ffff:fffd",
                    "fd00:60::ffff:ffff:ffff:ffff")) {
                s.send("POST", "/instance-ips", iipBody(s, "r" + reserved.replace(':', '_'), reserved));
            }
            s.send("POST", "/instance-ips", iipBody(s, "gw", "10.60.0.254"));
            s.send("POST", "/instance-ips", iipBody(s, "out", "172.16.0.1"));
            TfRest.Answer v6 = s.send("POST", "/instance-ips", iipBody(s, "v6", "fd00:60:0:0:0:0:0:9"));
            s.note("v6 stored as " + s.rest.fields("instance-ip", uuidOf(v6, "instance-ip")).path("instance_ip_address").asString());
            TfRest.Answer picked = s.send("POST", "/instance-ips", json("{'instance-ip':{'fq_name':['auto-" + s.tag()
                    + "'],'virtual_network_refs':[{'to':" + s.vn() + "}]}}"));
            s.note("picked " + s.rest.fields("instance-ip", uuidOf(picked, "instance-ip")).path("instance_ip_address").asString());
            s.send("PUT", "/instance-ip/" + uuidOf(first, "instance-ip"), json("{'instance-ip':{'instance_ip_address':'10.60.0.10'}}"));
        });
    }

    private static List<String> subnets(JsonNode vn) {
        List<String> out = new ArrayList<>();
        for (JsonNode ipam : vn.path("network_ipam_refs")) {
            for (JsonNode s : ipam.path("attr").path("ipam_subnets")) {
                out.add(s.path("subnet").path("ip_prefix").asString() + "/" + s.path("subnet").path("ip_prefix_len").asInt()
                        + " gateway " + s.path("default_gateway").asString() + " service " + s.path("dns_server_address").asString());
            }
        }
        return out;
    }

    @Test
    void aFlatSubnetIpamLendsItsSubnetsToAnL3NetworkAndKeepsTheSameAddressesInThem() {
        sameOnBoth(s -> {
            String prefix = "{'fq_name':['default-domain','" + s.project() + "',";
            String subnets = "{'subnets':[{'subnet':{'ip_prefix':'10.80.0.0','ip_prefix_len':24}},"
                    + "{'subnet':{'ip_prefix':'fd00:80::','ip_prefix_len':64}}]}";
            s.send("POST", "/network-ipams", json("{'network-ipam':" + prefix + "'plain'],'parent_type':'project','ipam_subnets':"
                    + subnets + "}}"));
            TfRest.Answer created = s.send("POST", "/network-ipams", json("{'network-ipam':" + prefix + "'flat'],'parent_type':'project',"
                    + "'ipam_subnet_method':'flat-subnet','ipam_subnets':" + subnets + "}}"));
            String ipam = "/network-ipam/" + uuidOf(created, "network-ipam");
            s.send("GET", ipam + "?fields=ipam_subnets", null, VncApiContractTest::ipamSubnets);
            String ref = "'network_ipam_refs':[{'to':['default-domain','" + s.project() + "','flat'],'attr':{'ipam_subnets':[";
            s.send("POST", "/virtual-networks", json("{'virtual-network':" + prefix + "'n1'],'parent_type':'project'," + ref + "]}}]}}"));
            s.send("POST", "/virtual-networks", json("{'virtual-network':" + prefix + "'n2'],'parent_type':'project'," + ref
                    + "{'subnet':{'ip_prefix':'10.80.0.0','ip_prefix_len':24}}]}}],'virtual_network_properties':{'forwarding_mode':'l3'}}}"));
            TfRest.Answer vn = s.send("POST", "/virtual-networks", json("{'virtual-network':" + prefix + "'flat-net'],'parent_type':"
                    + "'project'," + ref + "]}}],'virtual_network_properties':{'forwarding_mode':'l3'}}}"));
            s.note("reference " + sorted(s.rest.fields("virtual-network", uuidOf(vn, "virtual-network")).path("network_ipam_refs").get(0)
                    .path("attr")));
            String net = "['default-domain','" + s.project() + "','flat-net']";
            for (String address : List.of("10.80.0.0", "10.80.0.253", "10.80.0.255", "fd00:80::", "fd00:80::ffff:ffff:ffff:fffd",
                    "fd00:80::ffff:ffff:ffff:ffff", "10.80.0.254", "10.80.0.9", "10.81.0.1")) {
                s.send("POST", "/instance-ips", iipBody(s, "f" + address.replace(':', '_'), address).replace(json(s.vn()), json(net)));
            }
            TfRest.Answer picked = s.send("POST", "/instance-ips", json("{'instance-ip':{'fq_name':['fauto-" + s.tag()
                    + "'],'virtual_network_refs':[{'to':" + net + "}]}}"));
            s.note("picked " + s.rest.fields("instance-ip", uuidOf(picked, "instance-ip")).path("instance_ip_address").asString());
            // a subnet added to the ipam, TF's addresses at its start
            s.send("PUT", ipam, json("{'network-ipam':{'ipam_subnets':" + subnets.replace("]}", ",{'subnet':{'ip_prefix':'10.82.0.0',"
                    + "'ip_prefix_len':24},'addr_from_start':true}]}") + "}}"));
            s.send("GET", ipam + "?fields=ipam_subnets", null, VncApiContractTest::ipamSubnets);
            for (String address : List.of("10.82.0.2", "10.82.0.1", "10.82.0.254")) {
                s.send("POST", "/instance-ips", iipBody(s, "f" + address, address).replace(json(s.vn()), json(net)));
            }
            s.send("PUT", ipam, json("{'network-ipam':{'ipam_subnet_method':'user-defined-subnet'}}"));
            s.send("PUT", "/network-ipam/" + s.world.ipamUuid(), json("{'network-ipam':{'ipam_subnets':{'subnets':[]}}}"));
        });
    }

    /** A read of a network-ipam's subnets: them, and whether the answer held anything but the identity and them. */
    private static String ipamSubnets(TfRest.Answer a) {
        JsonNode ipam = a.json().path("network-ipam");
        List<String> more = new ArrayList<>();
        ipam.propertyNames().forEach(more::add);
        more.removeAll(List.of("uuid", "name", "fq_name", "parent_type", "parent_uuid", "parent_href", "href", "id_perms", "perms2",
                "ipam_subnets"));
        return sorted(ipam.path("ipam_subnets")) + " and " + more;
    }

    @Test
    void anInterfaceAnInstanceIpRefersToIsNotDeleted() {
        sameOnBoth(s -> {
            TfRest.Answer vmi = s.send("POST", "/virtual-machine-interfaces", vmiBody(s, "p1", 300, s.world.portGroup()));
            TfRest.Answer iip = s.send("POST", "/instance-ips", json("{'instance-ip':{'fq_name':['ip-" + s.tag() + "'],"
                    + "'instance_ip_address':'10.60.0.7','virtual_network_refs':[{'to':" + s.vn() + "}],"
                    + "'virtual_machine_interface_refs':[{'to':['default-domain','" + s.project() + "','p1']}]}}"));
            s.send("DELETE", "/virtual-machine-interface/" + uuidOf(vmi, "virtual-machine-interface"), null);
            s.send("DELETE", "/instance-ip/" + uuidOf(iip, "instance-ip"), null);
            s.send("DELETE", "/virtual-machine-interface/" + uuidOf(vmi, "virtual-machine-interface"), null);
            s.send("DELETE", "/virtual-machine-interface/" + uuidOf(vmi, "virtual-machine-interface"), null);
        });
    }
}
