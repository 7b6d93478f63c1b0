package io.ensm.core.registry.authorize;

import io.ensm.core.token.RegistryPath;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** NSM's registry updatepath rules, as the embedded registry applies them. */
class RegistryPathUpdateTest {
    @Test
    void anEmptyPathGetsTheCallersSegmentAndOurs() {
        var u = RegistryAuthorization.updatePath(RegistryPath.empty(), "peer", "own");
        assertThat(u.tokens()).containsExactly("peer", "own");
        assertThat(u.current()).isEqualTo(1);
        assertThat(u.returnIndex()).isZero();
    }

    @Test
    void aFirstCallAppendsOurSegmentAndTakesTheCallersTokenFromMetadata() {
        var u = RegistryAuthorization.updatePath(new RegistryPath(0, List.of("stale")), "peer", "own");
        assertThat(u.tokens()).containsExactly("peer", "own");
        assertThat(u.current()).isEqualTo(1);
        assertThat(u.returnIndex()).isZero();
    }

    @Test
    void aRefreshReplacesBothTokensInPlace() {
        var u = RegistryAuthorization.updatePath(new RegistryPath(1, List.of("nse", "old-mgr", "old-ours")), "mgr", "own");
        assertThat(u.tokens()).containsExactly("nse", "mgr", "own");
        assertThat(u.current()).isEqualTo(2);
        assertThat(u.returnIndex()).isEqualTo(1);
    }

    @Test
    void anIndexPastThePathIsInvalidArgument() {
        assertThatThrownBy(() -> RegistryAuthorization.updatePath(new RegistryPath(3, List.of("a")), "peer", "own"))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("Index 3");
    }
}
