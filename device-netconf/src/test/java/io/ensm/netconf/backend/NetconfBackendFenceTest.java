package io.ensm.netconf.backend;

import io.ensm.netconf.transaction.RawEdits;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.testing.Contexts;
import io.ensm.netconf.client.ConnectSpec;
import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.Rpcs;
import io.ensm.netconf.client.Rpcs.Datastore;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.driver.ietf.IetfDriver;
import io.ensm.netconf.session.SessionPool;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.UsesNetconfTestbed;
import io.ensm.netconf.transaction.TransactionRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The NETCONF backend of a replica against a real netconfd: the take-over writes the hold's token
 * on the parent port (ending a stale lock holder's session of ensm's user), later writes check it,
 * and a stale lock is ended only while the token is not on the box yet.
 */
@UsesNetconfTestbed(devices = 2)
class NetconfBackendFenceTest {
    private static final int DEVICE = 2;
    private static final String PORT = "eth2";
    private static final EndpointSpec ENDPOINT = new EndpointSpec("box-2", "svc", Map.of());

    private final NetconfTestbed bed;
    private final SshConnector connector = new SshConnector();
    private final List<Backend> backends = new ArrayList<>();
    private final List<ProvisionIntent> written = new ArrayList<>();

    NetconfBackendFenceTest(NetconfTestbed bed) {
        this.bed = bed;
    }

    @AfterEach
    void restore() throws Exception {
        Backend unfenced = backend();
        for (ProvisionIntent i : written) {
            unfenced.release(i);
        }
        try (SessionPool pool = new SessionPool(bed.config(DEVICE), connector::connect)) {
            String port = new IetfDriver().renderPortDescription(PORT, "operator: port 2");
            pool.withSession(s -> new TransactionRunner().run(s, List.of(port), RawEdits.onPort(PORT)));
        } finally {
            backends.forEach(Backend::close);
            connector.close();
        }
    }

    private Backend backend() {
        Map<String, String> settings = NetconfBackendTest.settings(bed.device(DEVICE), PORT);
        Backend b = new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, settings, new Owner("fence-backend")));
        backends.add(b);
        return b;
    }

    private Backend replica(long token) {
        Backend b = backend();
        b.fenceWith(() -> OptionalLong.of(token));
        return b;
    }

    private ProvisionIntent intent(String id, int vlan) {
        ProvisionIntent i = NetconfBackendTest.intent(id, vlan, "10.71." + (vlan % 250) + ".0/32", "10.71." + (vlan % 250) + ".1/32");
        ProvisionIntent onPort = new ProvisionIntent(i.connectionId(), ENDPOINT, i.plan(), i.allocation(), null, 1500);
        written.add(onPort);
        return onPort;
    }

    private String description() {
        Matcher m = Pattern.compile("<name>" + PORT + "</name>\\s*<description>([^<]*)</description>")
                .matcher(bed.independentInterfaces(DEVICE));
        return m.find() ? m.group(1) : "";
    }

    @Test
    void theTakeOverEndsAStaleLockOfEnsmsUserThenLaterLocksOfItAreWaitedOutAsBefore() throws Exception {
        Backend taker = replica(21);
        try (NetconfSession stale = connector.connect(spec())) {
            assertThat(stale.rpc(Rpcs.lock(Datastore.CANDIDATE)).ok()).isTrue();
            taker.takeOver(21);
            assertThat(description()).isEqualTo("operator: port 2 ensm-fence@fence-backend:21");
            assertThat(gone(stale)).as("the stale holder's session was ended").isTrue();
        }
        try (NetconfSession other = connector.connect(spec())) {
            assertThat(other.rpc(Rpcs.lock(Datastore.CANDIDATE)).ok()).isTrue();
            assertThatThrownBy(() -> taker.provision(intent("fence-b1", 3150)))
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.kind()).isEqualTo(BackendException.Kind.BUSY);
                        assertThat(e.getMessage()).contains("locked by NETCONF session " + other.sessionId());
                    });
            assertThat(gone(other)).as("with the token on the box, a lock holder is not ended").isFalse();
            assertThat(other.rpc(Rpcs.unlock(Datastore.CANDIDATE)).ok()).isTrue();
        }
        taker.provision(intent("fence-b2", 3151));
        assertThat(bed.independentInterfaces(DEVICE)).contains("<name>eth2.3151</name>");
    }

    @Test
    void aReplicaUnderAnOlderTokenIsRefusedAsFencedAndTheOnlyReplicaReadsNoFence() throws Exception {
        replica(31).takeOver(31);
        Backend late = replica(30);
        assertThatThrownBy(() -> late.provision(intent("fence-b3", 3152)))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BackendException.Kind.FENCED);
                    assertThat(e.getMessage()).isEqualTo("device box-2: fence read: the description of port eth2 holds fence token 31,"
                            + " newer than this replica's 30: another replica has taken the endpoint over; nothing was written");
                });
        assertThat(bed.independentInterfaces(DEVICE)).doesNotContain("<name>eth2.3152</name>");

        Backend neverHeld = replica(0);
        assertThatThrownBy(() -> neverHeld.provision(intent("fence-b4", 3153)))
                .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.FENCED));

        Backend only = backend();
        only.takeOver(5);
        only.provision(intent("fence-b5", 3154));
        assertThat(bed.independentInterfaces(DEVICE)).contains("<name>eth2.3154</name>");
        assertThat(description()).as("the only replica neither reads nor writes the fence").isEqualTo("operator: port 2 ensm-fence@fence-backend:31");
    }

    private static boolean gone(NetconfSession s) {
        try {
            return !s.rpc(Rpcs.ping()).ok();
        } catch (NetconfException ended) {
            return true;
        }
    }

    private ConnectSpec spec() throws Exception {
        var c = bed.config(DEVICE);
        return new ConnectSpec(c.name(), c.host(), c.port(), c.username(), c.password().read(), c.hostKey(), c.timeouts());
    }

}
