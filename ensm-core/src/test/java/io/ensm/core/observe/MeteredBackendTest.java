package io.ensm.core.observe;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendException;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.OutputCapture;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.spi.ProvisionIntent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MeteredBackendTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final EnsmMeters meters = new EnsmMeters(registry, new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));
    final RecordingBackend inner = RecordingBackend.serving(PlanKind.FABRIC_VLAN);
    final Backend backend = meters.backend("box-1", "netconf", inner);

    static ProvisionIntent intent(String id) {
        return new ProvisionIntent(id, new EndpointSpec("box-1", "fabric-breakout", Map.of()), PlanKind.FABRIC_VLAN,
                Allocation.NONE, null, 1500);
    }

    @Test
    void overridesEveryMethodOfTheSpiSoNoDefaultRunsOnTheWrapper() {
        for (Method m : Backend.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            assertThat(Arrays.stream(MeteredBackend.class.getDeclaredMethods())
                    .anyMatch(d -> d.getName().equals(m.getName()) && Arrays.equals(d.getParameterTypes(), m.getParameterTypes())))
                    .as("MeteredBackend overrides Backend.%s", m.getName()).isTrue();
        }
    }

    @Test
    void timesOperationsByOutcomeAndCountsErrorsByKind() throws Exception {
        backend.provision(intent("c1"));
        inner.failNext(RecordingBackend.Op.PROVISION, BackendException.Kind.REJECTED, "refused");
        assertThatThrownBy(() -> backend.provision(intent("c2"))).isInstanceOf(BackendException.class);

        assertThat(registry.get("ensm.backend.operations").tags("endpoint", "box-1", "backend", "netconf",
                "operation", "provision", "outcome", "ok").timer().count()).isEqualTo(1);
        assertThat(registry.get("ensm.backend.operations").tags("operation", "provision", "outcome", "rejected").timer().count())
                .isEqualTo(1);
        assertThat(registry.get("ensm.backend.errors").tags("endpoint", "box-1", "operation", "provision", "kind", "rejected")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void deviceStateFollowsReachabilityAndLogsOncePerChange() throws Exception {
        assertThat(meters.devices().all().get("box-1").state()).isEqualTo(DeviceStates.State.UNKNOWN);
        try (OutputCapture out = OutputCapture.start()) {
            inner.failNext(RecordingBackend.Op.VERIFY, 5, BackendException.Kind.UNREACHABLE, "box-1 did not answer");
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> backend.verify(intent("c1"))).isInstanceOf(BackendException.class);
            }
            assertThat(meters.devices().all().get("box-1").state()).isEqualTo(DeviceStates.State.DOWN);
            assertThat(meters.devices().all().get("box-1").reason()).contains("did not answer");

            // a refusal is an answer: the box is up
            inner.failNext(RecordingBackend.Op.PROVISION, BackendException.Kind.REJECTED, "bad vlan");
            assertThatThrownBy(() -> backend.provision(intent("c1"))).isInstanceOf(BackendException.class);
            assertThat(meters.devices().all().get("box-1").state()).isEqualTo(DeviceStates.State.UP);
            backend.verify(intent("c1"));

            String log = out.text();
            assertThat(log.split("event=device-down", -1)).hasSize(2);
            assertThat(log.split("event=device-up", -1)).hasSize(2);
        }
    }

    @Test
    void closeForgetsTheEndpoint() {
        backend.close();
        assertThat(meters.devices().all()).doesNotContainKey("box-1");
        assertThat(EnsmMeters.unwrap(backend)).isSameAs(inner);
    }
}
