package io.ensm.tf.vncdouble;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static io.ensm.tf.vncdouble.RawHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The double answers as TF's config API does (see its javadoc), tested over plain HTTP. */
class VncApiDoubleTest {
    VncApiDouble api;
    RawHttp http;
    Seed.Standard world;
    Seed seed;

    @BeforeEach
    void start() {
        api = VncApiDouble.start();
        world = Seed.standard(api);
        seed = new Seed(api);
        http = new RawHttp(api);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    static String vmi(String name, int vlan, String vpg, String links) {
        String profile = links == null ? "" : ",{'key':'profile','value':'{\\'local_link_information\\':[" + links + "]}'}";
        return json("{'virtual-machine-interface':{'fq_name':['default-domain','admin','" + name + "'],'parent_type':'project',"
                + "'virtual_network_refs':[{'to':['default-domain','admin','blue']}],"
                + "'virtual_machine_interface_properties':{'sub_interface_vlan_tag':" + vlan + "},"
                + "'virtual_machine_interface_bindings':{'key_value_pair':[{'key':'vnic_type','value':'baremetal'},"
                + "{'key':'vpg','value':'" + vpg + "'}" + profile + "]}}}");
    }

    static String link(String sw, String port) {
        return "{\\\"switch_info\\\":\\\"" + sw + "\\\",\\\"port_id\\\":\\\"" + port + "\\\",\\\"fabric\\\":\\\"ensm-fabric\\\"}";
    }

    String createVmi(String name, int vlan) {
        RawHttp.Answer a = http.post("/virtual-machine-interfaces", vmi(name, vlan, "ensm-uplink", link("leaf1", "xe-0/0/1")));
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return a.json().path("virtual-machine-interface").path("uuid").asString();
    }

    @Test
    void createAssignsAUuidAndAnswersTheWrappedIdentityWithTheParent() {
        RawHttp.Answer a = http.post("/virtual-machine-interfaces", vmi("p1", 300, "ensm-uplink", link("leaf1", "xe-0/0/1")));

        assertThat(a.status()).as(a.body()).isEqualTo(200);
        JsonNode o = a.json().path("virtual-machine-interface");
        assertThat(o.path("uuid").asString()).matches("[0-9a-f-]{36}");
        assertThat(o.path("fq_name").toString()).isEqualTo("[\"default-domain\",\"admin\",\"p1\"]");
        assertThat(o.path("name").asString()).isEqualTo("p1");
        assertThat(o.path("parent_type").asString()).isEqualTo("project");
        assertThat(o.path("parent_uuid").asString()).isEqualTo(api.store().find("project", List.of("default-domain", "admin")).uuid());
        assertThat(o.path("href").asString()).isEqualTo(api.url() + "/virtual-machine-interface/" + o.path("uuid").asString());
    }

    @Test
    void aSecondObjectWithTheSameFqNameIs409NamingTheExistingUuid() {
        String uuid = createVmi("p1", 300);

        RawHttp.Answer again = http.post("/virtual-machine-interfaces", vmi("p1", 301, "ensm-uplink", link("leaf1", "xe-0/0/1")));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body()).isEqualTo("['default-domain', 'admin', 'p1'] already exists with uuid: " + uuid);
    }

    @Test
    void aClientChosenUuidIsKeptAndAUuidInUseIs409() {
        String body = json("{'instance-ip':{'fq_name':['ip1'],'uuid':'11111111-2222-3333-4444-555555555555',"
                + "'instance_ip_address':'10.60.0.7','virtual_network_refs':[{'to':['default-domain','admin','blue']}]}}");
        assertThat(http.post("/instance-ips", body).json().path("instance-ip").path("uuid").asString())
                .isEqualTo("11111111-2222-3333-4444-555555555555");

        RawHttp.Answer clash = http.post("/instance-ips", body.replace("ip1", "ip2").replace("10.60.0.7", "10.60.0.8"));

        assertThat(clash.status()).isEqualTo(409);
        assertThat(clash.body()).isEqualTo("11111111-2222-3333-4444-555555555555 already exists with fq_name: ['ip1']");
    }

    @Test
    void aMissingParentIs404() {
        RawHttp.Answer a = http.post("/virtual-networks", json("{'virtual-network':{'fq_name':['default-domain','nope','x'],'parent_type':'project'}}"));

        assertThat(a.status()).isEqualTo(404);
        assertThat(a.body()).isEqualTo("Name['default-domain', 'nope'] not found");
    }

    @Test
    void aRefToNothingIsRefusedAndARefByUuidAloneFails() {
        RawHttp.Answer unknown = http.post("/instance-ips", json("{'instance-ip':{'fq_name':['ip1'],'instance_ip_address':'10.60.0.7',"
                + "'virtual_network_refs':[{'to':['default-domain','admin','red']}]}}"));
        RawHttp.Answer byUuid = http.post("/instance-ips", json("{'instance-ip':{'fq_name':['ip1'],'instance_ip_address':'10.60.0.7',"
                + "'virtual_network_refs':[{'uuid':'" + world.networkUuid() + "'}]}}"));

        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).startsWith("Unknown reference in resource create");
        assertThat(byUuid.status()).isEqualTo(500);
        assertThat(byUuid.body()).isEqualTo("KeyError: 'to'");
        assertThat(Seed.uuids(api, "instance-ip")).isEmpty();
    }

    @Test
    void readShowsRefsWithHrefsBackRefsAndChildren() {
        String vmi = createVmi("p1", 300);

        JsonNode vn = http.get("/virtual-network/" + world.networkUuid()).json().path("virtual-network");
        JsonNode project = http.get("/project/" + api.store().find("project", List.of("default-domain", "admin")).uuid()).json().path("project");
        JsonNode port = http.get("/virtual-machine-interface/" + vmi).json().path("virtual-machine-interface");

        assertThat(vn.path("virtual_machine_interface_back_refs").get(0).path("uuid").asString()).isEqualTo(vmi);
        assertThat(project.path("virtual_networks").get(0).path("uuid").asString()).isEqualTo(world.networkUuid());
        assertThat(project.path("virtual_machine_interfaces").get(0).path("uuid").asString()).isEqualTo(vmi);
        assertThat(port.path("virtual_network_refs").get(0).path("href").asString()).endsWith("/virtual-network/" + world.networkUuid());
        assertThat(port.path("id_perms").path("enable").asBoolean()).isTrue();
    }

    @Test
    void readingAnUnknownIdOrAnIdOfAnotherTypeIs404() {
        assertThat(http.get("/virtual-network/00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
        RawHttp.Answer wrong = http.get("/instance-ip/" + world.networkUuid());
        assertThat(wrong.status()).isEqualTo(404);
        assertThat(wrong.body()).isEqualTo("No instance-ip object found for id " + world.networkUuid());
        assertThat(http.get("/no-such-type/" + world.networkUuid()).body()).isEqualTo("Resource type 'no-such-type' not found");
    }

    @Test
    void deletingAReferredObjectIs409UntilTheReferrerIsGone() {
        String vmi = createVmi("p1", 300);
        RawHttp.Answer iip = http.post("/instance-ips", json("{'instance-ip':{'fq_name':['ip1'],'instance_ip_address':'10.60.0.7',"
                + "'virtual_network_refs':[{'to':['default-domain','admin','blue']}],'virtual_machine_interface_refs':[{'to':['default-domain','admin','p1']}]}}"));
        String iipUuid = iip.json().path("instance-ip").path("uuid").asString();

        RawHttp.Answer refused = http.delete("/virtual-machine-interface/" + vmi);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body()).isEqualTo("Delete when resource still referred: ['" + api.url() + "/instance-ip/" + iipUuid + "']");
        assertThat(http.delete("/instance-ip/" + iipUuid).status()).isEqualTo(200);
        assertThat(http.delete("/virtual-machine-interface/" + vmi).status()).isEqualTo(200);
        RawHttp.Answer again = http.delete("/virtual-machine-interface/" + vmi);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.body()).isEqualTo("ID " + vmi + " does not exist");
    }

    @Test
    void deletingAnObjectWithChildrenIs409() {
        RawHttp.Answer a = http.delete("/virtual-network/" + world.networkUuid());
        assertThat(a.status()).isEqualTo(200); // a network has no children here

        String project = api.store().find("project", List.of("default-domain", "admin")).uuid();
        RawHttp.Answer refused = http.delete("/project/" + project);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body()).startsWith("Delete when children still present: ['" + api.url() + "/network-ipam/");
    }

    @Test
    void fqnameToIdFindsByTypeAndNameOr404() {
        RawHttp.Answer found = http.post("/fqname-to-id", json("{'type':'virtual-network','fq_name':['default-domain','admin','blue']}"));
        RawHttp.Answer underscore = http.post("/fqname-to-id", json("{'type':'virtual_network','fq_name':['default-domain','admin','blue']}"));
        RawHttp.Answer missing = http.post("/fqname-to-id", json("{'type':'virtual-network','fq_name':['default-domain','admin','red']}"));
        RawHttp.Answer badType = http.post("/fqname-to-id", json("{'type':'virtual-nothing','fq_name':['x']}"));

        assertThat(found.body()).isEqualTo("{\"uuid\":\"" + world.networkUuid() + "\"}");
        assertThat(underscore.json().path("uuid").asString()).isEqualTo(world.networkUuid());
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("Name ['default-domain', 'admin', 'red'] not found");
        assertThat(badType.status()).isEqualTo(404);
        assertThat(badType.body()).isEqualTo("Resource type 'virtual-nothing' not found");
    }

    @Test
    void refUpdateAddsWithAttrAndDeletesAndRefusesWhatTfRefuses() {
        String pi2 = api.store().find("physical-interface", List.of("default-global-system-config", "leaf1", "xe-0/0/2")).uuid();
        String add = json("{'type':'virtual-port-group','uuid':'" + world.portGroupUuid() + "','ref-type':'physical-interface',"
                + "'ref-uuid':'" + pi2 + "','ref-fq-name':null,'operation':'ADD','attr':null}");

        RawHttp.Answer added = http.post("/ref-update", add);
        List<String> afterAdd = ObjectStore.refUuids(Seed.fields(api, world.portGroupUuid()), "physical-interface");
        RawHttp.Answer deleted = http.post("/ref-update", add.replace("ADD", "DELETE"));
        List<String> afterDelete = ObjectStore.refUuids(Seed.fields(api, world.portGroupUuid()), "physical-interface");

        assertThat(added.body()).isEqualTo("{\"uuid\":\"" + world.portGroupUuid() + "\"}");
        assertThat(afterAdd).contains(pi2);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(afterDelete).doesNotContain(pi2);
        RawHttp.Answer unknownRef = http.post("/ref-update", add.replace(pi2, "00000000-0000-0000-0000-000000000000"));
        assertThat(unknownRef.status()).isEqualTo(404);
        assertThat(unknownRef.body()).isEqualTo("Unknown id: 00000000-0000-0000-0000-000000000000");
        RawHttp.Answer badOperation = http.post("/ref-update", add.replace("ADD", "MOVE"));
        assertThat(badOperation.status()).isEqualTo(400);
        assertThat(badOperation.body()).isEqualTo("Bad Request: operation should be add or delete: MOVE");
        RawHttp.Answer noUuid = http.post("/ref-update", json("{'type':'virtual-port-group','ref-type':'physical-interface','operation':'ADD'}"));
        assertThat(noUuid.status()).isEqualTo(400);
        assertThat(noUuid.body()).startsWith("Bad Request: type/uuid/ref-type/operation is null");
    }

    @Test
    void listByParentInDetailWrapsEachObject() {
        String vmi = createVmi("p1", 300);
        String project = api.store().find("project", List.of("default-domain", "admin")).uuid();

        JsonNode detail = http.get("/virtual-machine-interfaces?parent_id=" + project + "&detail=true").json();
        JsonNode brief = http.get("/virtual-machine-interfaces?parent_id=" + project).json();

        assertThat(detail.path("virtual-machine-interfaces").get(0).path("virtual-machine-interface").path("uuid").asString()).isEqualTo(vmi);
        assertThat(brief.path("virtual-machine-interfaces").get(0).path("uuid").asString()).isEqualTo(vmi);
        assertThat(brief.path("virtual-machine-interfaces").get(0).has("virtual_network_refs")).isFalse();
    }

    @Test
    void aBareMetalBindingAttachesTheInterfaceToTheGroupWithItsVlanAndDeletingItDropsTheGroupsRef() {
        String vmi = createVmi("p1", 300);

        JsonNode port = Seed.fields(api, vmi);
        JsonNode group = Seed.fields(api, world.portGroupUuid());
        assertThat(port.path("virtual_port_group_refs").get(0).path("uuid").asString()).isEqualTo(world.portGroupUuid());
        assertThat(port.path("virtual_port_group_refs").get(0).path("attr").path("vlan_tag").asInt()).isEqualTo(300);
        assertThat(port.path("virtual_machine_interface_mac_addresses").path("mac_address").get(0).asString()).startsWith("02:");
        assertThat(port.path("virtual_machine_interface_bindings").toString()).contains("\"vif_type\"");
        assertThat(ObjectStore.refUuids(group, "virtual-machine-interface")).containsExactly(vmi);

        assertThat(http.delete("/virtual-machine-interface/" + vmi).status()).isEqualTo(200);
        assertThat(ObjectStore.refUuids(Seed.fields(api, world.portGroupUuid()), "virtual-machine-interface")).isEmpty();
    }

    @Test
    void anUnknownPortIs404AndAPortOfAnotherGroupIs400AndAnUnknownGroupIs404() {
        String pi3 = api.store().find("physical-interface", List.of("default-global-system-config", "leaf1", "xe-0/0/3")).uuid();
        seed.virtualPortGroup(Seed.Standard.FABRIC, "other-group", pi3);

        RawHttp.Answer unknownPort = http.post("/virtual-machine-interfaces", vmi("p1", 300, "ensm-uplink", link("leaf1", "xe-9/9/9")));
        RawHttp.Answer taken = http.post("/virtual-machine-interfaces", vmi("p2", 300, "ensm-uplink", link("leaf1", "xe-0/0/3")));
        RawHttp.Answer noGroup = http.post("/virtual-machine-interfaces", vmi("p3", 300, "no-such-group", link("leaf1", "xe-0/0/2")));

        assertThat(unknownPort.status()).isEqualTo(404);
        assertThat(unknownPort.body()).isEqualTo("Unable to attach Physical interface to Virtual Port Group (ensm-uplink). "
                + "No such Physical Interface object (xe-9/9/9) exists");
        assertThat(taken.status()).isEqualTo(400);
        assertThat(taken.body()).isEqualTo("Physical interface ['default-global-system-config', 'leaf1', 'xe-0/0/3'] already belong to the vpg other-group");
        assertThat(noGroup.status()).isEqualTo(404);
        assertThat(noGroup.body()).isEqualTo("Vpg object no-such-group is not found");
        assertThat(Seed.uuids(api, "virtual-machine-interface")).isEmpty();
    }

    @Test
    void aServiceProviderFabricRefusesTheSameNetworkAndVlanTwiceOnAGroup() {
        String first = createVmi("p1", 300);

        RawHttp.Answer sameVlan = http.post("/virtual-machine-interfaces", vmi("p2", 300, "ensm-uplink", link("leaf1", "xe-0/0/1")));
        RawHttp.Answer otherVlan = http.post("/virtual-machine-interfaces", vmi("p3", 301, "ensm-uplink", link("leaf1", "xe-0/0/1")));

        assertThat(sameVlan.status()).isEqualTo(400);
        assertThat(sameVlan.body()).isEqualTo("Virtual machine interface:(" + first + ") already exists in virtual network:("
                + world.networkUuid() + ") with vlan(300)");
        assertThat(otherVlan.status()).isEqualTo(200);
    }

    @Test
    void anEnterpriseFabricAllowsOneVlanPerNetworkOnAGroup() {
        seed.fabric("campus", true);
        seed.create("physical-router", List.of("default-global-system-config", "leaf9"), tools.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        String pi = seed.physicalInterface("leaf9", "ge-0/0/0");
        String group = seed.virtualPortGroup("campus", "campus-group", pi);
        String linkCampus = "{\\\"switch_info\\\":\\\"leaf9\\\",\\\"port_id\\\":\\\"ge-0/0/0\\\",\\\"fabric\\\":\\\"campus\\\"}";
        assertThat(http.post("/virtual-machine-interfaces", vmi("p1", 300, "campus-group", linkCampus)).status()).isEqualTo(200);

        RawHttp.Answer second = http.post("/virtual-machine-interfaces", vmi("p2", 301, "campus-group", linkCampus));

        assertThat(second.status()).isEqualTo(400);
        assertThat(second.body()).isEqualTo("vlan:(300) already exists in virtual port group:(" + group + ") with virtual network:("
                + world.networkUuid() + ")");
    }

    @Test
    void aVlanTagOutside0To4094Is400() {
        RawHttp.Answer a = http.post("/virtual-machine-interfaces", vmi("p1", 4095, "ensm-uplink", link("leaf1", "xe-0/0/1")));

        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body()).isEqualTo("Invalid sub-interface VLAN tag ID: 4095");
    }

    @Test
    void anInstanceIpMustBeInASubnetOfItsNetworkAndFree() {
        String base = "{'instance-ip':{'fq_name':['NAME'],'instance_ip_address':'ADDR','virtual_network_refs':[{'to':['default-domain','admin','blue']}]}}";
        RawHttp.Answer first = http.post("/instance-ips", json(base.replace("NAME", "a").replace("ADDR", "10.60.0.9")));
        RawHttp.Answer taken = http.post("/instance-ips", json(base.replace("NAME", "b").replace("ADDR", "10.60.0.9")));
        RawHttp.Answer outside = http.post("/instance-ips", json(base.replace("NAME", "c").replace("ADDR", "192.0.2.9")));
        RawHttp.Answer v6 = http.post("/instance-ips", json(base.replace("NAME", "d").replace("ADDR", "fd00:60::9")));
        RawHttp.Answer picked = http.post("/instance-ips", json("{'instance-ip':{'fq_name':['e'],'virtual_network_refs':[{'to':['default-domain','admin','blue']}]}}"));

        assertThat(first.status()).isEqualTo(200);
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.body()).isEqualTo("IP address already in use");
        assertThat(outside.status()).isEqualTo(400);
        assertThat(outside.body()).isEqualTo("Virtual-Network(['default-domain', 'admin', 'blue']) has exhausted subnet([])");
        assertThat(v6.status()).isEqualTo(200);
        assertThat(Seed.fields(api, picked.json().path("instance-ip").path("uuid").asString()).path("instance_ip_address").asString())
                .isEqualTo("10.60.0.252"); // from the top, below the service address
        String a = first.json().path("instance-ip").path("uuid").asString();
        RawHttp.Answer change = http.put("/instance-ip/" + a, json("{'instance-ip':{'instance_ip_address':'10.60.0.10'}}"));
        assertThat(change.status()).isEqualTo(400);
        assertThat(change.body()).isEqualTo("Instance IP Address can not be changed");
    }

    @Test
    void withATokenRequiredACallWithoutOrWithAWrongTokenIs401() {
        api.requireToken("s3cret");

        assertThat(http.get("/virtual-network/" + world.networkUuid()).status()).isEqualTo(401);
        assertThat(http.token("wrong").get("/virtual-network/" + world.networkUuid()).status()).isEqualTo(401);
        assertThat(http.token("s3cret").get("/virtual-network/" + world.networkUuid()).status()).isEqualTo(200);
    }

    @Test
    void keystoneIssuesATokenInXSubjectTokenThatTheApiAcceptsUntilRevoked() {
        api.keystoneUser("ensm", "pw", "admin");
        String auth = json("{'auth':{'identity':{'methods':['password'],'password':{'user':{'name':'ensm','domain':{'name':'Default'},"
                + "'password':'PW'}}},'scope':{'project':{'name':'admin','domain':{'name':'Default'}}}}}");

        RawHttp.Answer refused = http.post("/v3/auth/tokens", auth.replace("PW", "bad"));
        RawHttp.Answer issued = http.post("/v3/auth/tokens", auth.replace("PW", "pw"));
        String token = issued.raw().headers().firstValue("X-Subject-Token").orElseThrow();

        assertThat(refused.status()).isEqualTo(401);
        assertThat(issued.status()).isEqualTo(201);
        assertThat(issued.json().path("token").path("expires_at").asString()).isNotEmpty();
        assertThat(http.token(token).get("/virtual-network/" + world.networkUuid()).status()).isEqualTo(200);
        api.revokeTokens();
        assertThat(http.token(token).get("/virtual-network/" + world.networkUuid()).status()).isEqualTo(401);
    }
}
