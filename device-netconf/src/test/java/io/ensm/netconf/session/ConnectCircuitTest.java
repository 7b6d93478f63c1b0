package io.ensm.netconf.session;

import io.ensm.netconf.client.NetconfException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectCircuitTest {
    private static final long MS = 1_000_000;
    private final PoolSettings settings = PoolSettings.DEFAULTS.withBackoff(Duration.ofMillis(100), Duration.ofMillis(350), Duration.ofSeconds(60));

    @Test
    void backoffDoublesUpToTheMaximumAndSuccessCloses() {
        ConnectCircuit c = new ConnectCircuit(settings);
        NetconfException down = new NetconfException.Unreachable("r1", "connect", "connection refused", null);
        assertThat(c.failed(down, 0)).isEqualTo(Duration.ofMillis(100));
        assertThat(c.failed(down, 0)).isEqualTo(Duration.ofMillis(200));
        assertThat(c.failed(down, 0)).isEqualTo(Duration.ofMillis(350));
        assertThat(c.failed(down, 0)).isEqualTo(Duration.ofMillis(350));
        assertThat(c.succeeded()).isTrue();
        assertThat(c.allows(0)).isTrue();
        assertThat(c.failed(down, 0)).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void whileOpenTheLastErrorIsGivenAgainWithTheNextAttemptTime() {
        ConnectCircuit c = new ConnectCircuit(settings);
        c.failed(new NetconfException.Denied("r1", "authenticate", "password refused for user ensm", null), 0);
        assertThat(c.refusal(10 * MS, false)).hasValueSatisfying(e -> {
            assertThat(e).isInstanceOf(NetconfException.Denied.class);
            assertThat(e.getMessage()).isEqualTo("device r1: authenticate: password refused for user ensm "
                    + "(last attempt 10 ms ago; next attempt in 59990 ms)");
        });
        assertThat(c.open(59_000 * MS)).isTrue();
        assertThat(c.refusal(60_000 * MS, false)).isEmpty();
        // Backoff over, but another caller is already probing: still refused.
        assertThat(c.refusal(60_000 * MS, true)).isPresent();
    }
}
