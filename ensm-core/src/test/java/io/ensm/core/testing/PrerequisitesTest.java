package io.ensm.core.testing;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrerequisitesTest {
    private static final Map<String, String> CI = Map.of("CI", "true");
    private static final Map<String, String> DESK = Map.of();

    @Test
    void withTheSwitchOnMissingRootFailsTheTestNamingWhatIsMissing() {
        Prerequisites ci = Prerequisites.of(CI, () -> "1000");

        assertThatThrownBy(() -> ci.requireRoot("to create network namespaces"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("needs root to create network namespaces")
                .hasMessageContaining("uid is 1000")
                .hasMessageContaining("CI=true");
    }

    @Test
    void withoutTheSwitchMissingRootSkipsTheTestWithTheSameReason() {
        Prerequisites desk = Prerequisites.of(DESK, () -> "1000");

        assertThatThrownBy(() -> desk.requireRoot("to create network namespaces"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("SKIPPED: needs root to create network namespaces")
                .hasMessageContaining("uid is 1000");
    }

    @Test
    void aMetPrerequisitePassesWithOrWithoutTheSwitch() {
        assertThatCode(() -> Prerequisites.of(CI, () -> "0").requireRoot("for namespaces")).doesNotThrowAnyException();
        assertThatCode(() -> Prerequisites.of(DESK, () -> "0").require(true, () -> "never")).doesNotThrowAnyException();
    }

    @Test
    void anUnmetConditionOfAnyKindFollowsTheSwitch() {
        assertThatThrownBy(() -> Prerequisites.of(CI, () -> "0").unmet("the NETCONF test bed cannot start: no mirror"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("the NETCONF test bed cannot start: no mirror");
        assertThatThrownBy(() -> Prerequisites.of(DESK, () -> "0").require(false, () -> "'ip' is not installed"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("'ip' is not installed");
    }

    @Test
    void onlyTrueTurnsTheSwitchOn() {
        assertThat(Prerequisites.of(Map.of("CI", "true"), () -> "0").strict()).isTrue();
        assertThat(Prerequisites.of(Map.of("CI", "TRUE"), () -> "0").strict()).isTrue();
        assertThat(Prerequisites.of(Map.of("CI", "false"), () -> "0").strict()).isFalse();
        assertThat(Prerequisites.of(Map.of("CI", ""), () -> "0").strict()).isFalse();
        assertThat(Prerequisites.of(DESK, () -> "0").strict()).isFalse();
    }
}
