package io.ensm.tf.backend;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which subnets the reserved addresses come from, on answers shaped as OpenSDN's server gives them
 * (the addresses TF then refuses are checked against the real server by
 * {@link TungstenReservedAddressTest}).
 */
class SubnetReservationsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String singleQuoted) {
        return JSON.readTree(singleQuoted.replace('\'', '"'));
    }

    /** A network with one user-defined subnet and a reference to a flat-subnet ipam, as TF writes it. */
    static final JsonNode NETWORK = json("{'network_ipam_refs':["
            + "{'uuid':'u1','attr':{'ipam_subnets':[{'subnet':{'ip_prefix':'10.1.0.0','ip_prefix_len':24},'subnet_uuid':'s1',"
            + "'default_gateway':'10.1.0.254','dns_server_address':'10.1.0.253'}]}},"
            + "{'uuid':'f1','attr':{'ipam_subnets':[{'subnet_uuid':'s2'}]}},"
            + "{'uuid':'e1','attr':{'ipam_subnets':[]}}]}");

    @Test
    void onlyAReferenceWithAnEntryWithoutPrefixNamesAFlatIpam() {
        assertThat(SubnetReservations.flatIpams(NETWORK)).containsExactly("f1");
        assertThat(SubnetReservations.flatIpams(json("{}"))).isEmpty();
    }

    @Test
    void theNetworksOwnSubnetsAndItsFlatIpamsSubnetsAreRead() {
        JsonNode flat = json("{'ipam_subnets':{'subnets':["
                + "{'subnet':{'ip_prefix':'10.2.0.0','ip_prefix_len':24},'addr_from_start':true,"
                + "'default_gateway':'10.2.0.1','dns_server_address':'10.2.0.2'},"
                + "{'subnet':{'ip_prefix':'fd00:2::','ip_prefix_len':64},"
                + "'default_gateway':'fd00:2::ffff:ffff:ffff:fffe','dns_server_address':'fd00:2::ffff:ffff:ffff:fffd'}]}}");

        assertThat(SubnetReservations.of(NETWORK, List.of(flat))).containsExactly(
                "10.1.0.0", "10.1.0.255", "10.1.0.254", "10.1.0.253",
                "10.2.0.0", "10.2.0.255", "10.2.0.1", "10.2.0.2",
                "fd00:2:0:0:0:0:0:0", "fd00:2:0:0:ffff:ffff:ffff:ffff", "fd00:2:0:0:ffff:ffff:ffff:fffe", "fd00:2:0:0:ffff:ffff:ffff:fffd");
    }

    @Test
    void aSubnetWithoutGatewayOrServiceAddressKeepsItsNetworkAndBroadcastAddressOnly() {
        // a subnetted ipam's subnets, and a subnet whose operator gave TF no addresses
        JsonNode flat = json("{'ipam_subnets':{'subnets':["
                + "{'subnet':{'ip_prefix':'10.3.0.0','ip_prefix_len':24},'default_gateway':'None','dns_server_address':'None'},"
                + "{'subnet':{'ip_prefix':'10.4.0.0','ip_prefix_len':24},'default_gateway':'0.0.0.0','dns_server_address':'0.0.0.0'}]}}");

        assertThat(SubnetReservations.of(json("{}"), List.of(flat))).containsExactly("10.3.0.0", "10.3.0.255", "10.4.0.0", "10.4.0.255");
    }
}
