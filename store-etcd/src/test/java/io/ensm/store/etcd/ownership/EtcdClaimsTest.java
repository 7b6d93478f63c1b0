package io.ensm.store.etcd.ownership;

import io.ensm.core.alloc.Claims.Claim;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdSettings;
import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Claims on the real cluster: all or none in one transaction, a connection's own values are its own. */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class EtcdClaimsTest {
    private static final Claim VLAN_7 = new Claim("vlan/uplink-0", "7");
    private static final Claim ADDR_1 = new Claim("addr/svc", "10.0.0.1");
    private static final Claim ADDR_2 = new Claim("addr/svc", "10.0.0.2");
    private static final Claim VNI_9 = new Claim("vni", "9");

    private final EtcdCluster cluster;
    private EtcdClient client;
    private EtcdClaims claims;
    private String base;

    EtcdClaimsTest(EtcdCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void setUp() {
        client = EtcdClient.connect(EtcdSettings.of(cluster.endpoints()));
        base = "/test/claims/" + System.nanoTime() + "/ensm-test/";
        claims = new EtcdClaims(client, base);
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    private Optional<String> holder(Claim c) {
        return client.get(claims.key(c)).map(e -> e.valueUtf8());
    }

    @Test
    void aClaimOfValuesOneOfWhichIsTakenClaimsNoneAndNamesTheTakenOne() {
        assertThat(claims.claim("conn-a", List.of(VLAN_7, ADDR_1))).isEmpty();
        assertThat(holder(VLAN_7)).contains("conn-a");
        assertThat(holder(ADDR_1)).contains("conn-a");

        assertThat(claims.claim("conn-b", List.of(ADDR_2, VLAN_7, VNI_9))).containsExactly(VLAN_7);
        assertThat(holder(ADDR_2)).as("nothing of a refused claim is kept").isEmpty();
        assertThat(holder(VNI_9)).isEmpty();
        assertThat(holder(VLAN_7)).contains("conn-a");
    }

    @Test
    void valuesTheConnectionHoldsAlreadyCountAsItsOwnAndTheRestAreAdded() {
        assertThat(claims.claim("conn-a", List.of(VLAN_7))).isEmpty();
        assertThat(claims.claim("conn-a", List.of(VLAN_7, ADDR_1, VNI_9))).isEmpty();
        assertThat(List.of(holder(VLAN_7), holder(ADDR_1), holder(VNI_9))).containsOnly(Optional.of("conn-a"));
        assertThat(claims.claim("conn-a", List.of())).isEmpty();
    }

    @Test
    void releaseGivesBackOnlyTheConnectionsOwnValues() {
        claims.claim("conn-a", List.of(VLAN_7, ADDR_1));
        claims.claim("conn-b", List.of(ADDR_2));
        claims.release("conn-a", List.of(VLAN_7, ADDR_2));
        assertThat(holder(VLAN_7)).isEmpty();
        assertThat(holder(ADDR_1)).contains("conn-a");
        assertThat(holder(ADDR_2)).as("another connection's value stays").contains("conn-b");
        assertThat(claims.claim("conn-b", List.of(VLAN_7))).isEmpty();
    }

    /** A connection record as the store keeps it: only its key matters to the sweep. */
    private void record(String connection) {
        client.put(base + "connections/" + connection, new byte[] {1});
    }

    @Test
    void claimsNoRecordExplainsGoAtTheSecondSweepThatFindsThemUnchanged() {
        claims.claim("conn-a", List.of(VLAN_7, ADDR_1));
        record("conn-a");
        // a replica that died between its claim and its record left these
        claims.claim("conn-lost", List.of(ADDR_2, VNI_9));

        assertThat(claims.sweep(Duration.ZERO)).as("the first sight only marks them").isZero();
        assertThat(holder(ADDR_2)).contains("conn-lost");

        assertThat(claims.sweep(Duration.ZERO)).isEqualTo(2);
        assertThat(holder(ADDR_2)).isEmpty();
        assertThat(holder(VNI_9)).isEmpty();
        assertThat(List.of(holder(VLAN_7), holder(ADDR_1))).as("a stored connection's claims stay").containsOnly(Optional.of("conn-a"));
    }

    @Test
    void aClaimWhoseRecordArrivesOrThatChangesHandsBetweenSweepsStays() {
        claims.claim("conn-slow", List.of(ADDR_1));
        claims.claim("conn-gone", List.of(VLAN_7));
        assertThat(claims.sweep(Duration.ZERO)).isZero();

        record("conn-slow"); // its Request stored the intent after all
        claims.release("conn-gone", List.of(VLAN_7));
        claims.claim("conn-new", List.of(VLAN_7)); // the value was given back and taken again

        assertThat(claims.sweep(Duration.ZERO)).isZero();
        assertThat(holder(ADDR_1)).contains("conn-slow");
        assertThat(holder(VLAN_7)).contains("conn-new");
    }

    @Test
    void aClaimMarkedLessThanTheGraceAgoStays() {
        claims.claim("conn-in-flight", List.of(ADDR_1));
        assertThat(claims.sweep(Duration.ofMinutes(5))).isZero();
        assertThat(claims.sweep(Duration.ofMinutes(5))).as("seen twice, but within the grace").isZero();
        assertThat(holder(ADDR_1)).contains("conn-in-flight");
    }

    private static final Claim SEGMENT_VLAN_7 = new Claim("vlan/uplink-0", "7", "segment:lan");
    private static final Claim LAN_ON_UPLINK = new Claim("segment-vlans/uplink-0", "lan", "vlan:7");

    @Test
    void aSharedClaimIsGrantedToEveryConnectionOfItsHolderAndRefusedToOthersNamingTheHolder() {
        EtcdClaims other = new EtcdClaims(client, base); // a second replica on the same keys
        assertThat(claims.claim("conn-a", List.of(ADDR_1, LAN_ON_UPLINK, SEGMENT_VLAN_7))).isEmpty();
        assertThat(other.claim("conn-b", List.of(ADDR_2, LAN_ON_UPLINK, SEGMENT_VLAN_7))).isEmpty();
        assertThat(holder(SEGMENT_VLAN_7)).contains("segment:lan");
        assertThat(holder(LAN_ON_UPLINK)).contains("vlan:7");

        assertThat(other.claim("conn-p2p", List.of(VLAN_7))).as("the segment's VLAN id to a point-to-point connection")
                .containsExactly(VLAN_7);
        Claim lanOnEight = new Claim("segment-vlans/uplink-0", "lan", "vlan:8");
        Claim segmentVlan8 = new Claim("vlan/uplink-0", "8", "segment:lan");
        Claim addr3 = new Claim("addr/svc", "10.0.0.3");
        assertThat(other.claim("conn-c", List.of(addr3, lanOnEight, segmentVlan8)))
                .as("another id for the segment behind the same uplink: refused, naming the one it has")
                .containsExactly(new Claim("segment-vlans/uplink-0", "lan", "vlan:7"));
        assertThat(holder(addr3)).as("nothing of the refused claim is kept").isEmpty();
        assertThat(holder(segmentVlan8)).isEmpty();
        assertThat(client.keys(base + "claims/members/")).hasSize(4);
    }

    @Test
    void aSharedClaimGoesWithItsLastConnectionWhicheverReplicaReleasesIt() {
        EtcdClaims other = new EtcdClaims(client, base);
        claims.claim("conn-a", List.of(LAN_ON_UPLINK, SEGMENT_VLAN_7));
        other.claim("conn-b", List.of(LAN_ON_UPLINK, SEGMENT_VLAN_7));

        claims.release("conn-a", List.of(LAN_ON_UPLINK, SEGMENT_VLAN_7));
        assertThat(holder(SEGMENT_VLAN_7)).as("conn-b, at the other replica, is still on the segment").contains("segment:lan");
        assertThat(holder(LAN_ON_UPLINK)).contains("vlan:7");
        claims.release("conn-b", List.of(LAN_ON_UPLINK, SEGMENT_VLAN_7));
        assertThat(holder(SEGMENT_VLAN_7)).as("not conn-b's to give back at this replica: its member key names it, though")
                .isEmpty();
        assertThat(holder(LAN_ON_UPLINK)).isEmpty();
        assertThat(client.keys(base + "claims/")).isEmpty();
        assertThat(other.claim("conn-p2p", List.of(VLAN_7))).as("the id is free again").isEmpty();
    }

    @Test
    void theSweepKeepsASharedClaimWhileAMemberIsStoredAndDropsItAfterTheLast() {
        claims.claim("conn-a", List.of(SEGMENT_VLAN_7));
        claims.claim("conn-b", List.of(SEGMENT_VLAN_7));
        record("conn-a");
        record("conn-b");
        assertThat(claims.sweep(Duration.ZERO)).isZero();
        assertThat(claims.sweep(Duration.ZERO)).as("explained by its members' records").isZero();
        assertThat(holder(SEGMENT_VLAN_7)).contains("segment:lan");

        client.delete(base + "connections/conn-a"); // a replica died after deleting the record, before its release
        assertThat(claims.sweep(Duration.ZERO)).isZero();
        assertThat(claims.sweep(Duration.ZERO)).as("conn-a's member key only").isEqualTo(1);
        assertThat(holder(SEGMENT_VLAN_7)).as("conn-b is still on it").contains("segment:lan");

        client.delete(base + "connections/conn-b");
        claims.sweep(Duration.ZERO);
        claims.sweep(Duration.ZERO); // conn-b's member key
        claims.sweep(Duration.ZERO);
        claims.sweep(Duration.ZERO); // then the shared key no member explains
        assertThat(client.keys(base + "claims/")).isEmpty();
    }
}
