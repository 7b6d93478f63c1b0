package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScopeFilterTest {
    static PathSegment seg(String name, String id) {
        return PathSegment.newBuilder().setName(name).setId(id).build();
    }

    static Connection connection(String service, PathSegment... path) {
        return Connection.newBuilder().setId(path[path.length - 1].getId()).setNetworkService(service)
                .setPath(Path.newBuilder().setIndex(path.length - 1).addAllPathSegments(java.util.List.of(path))).build();
    }

    private final Connection c = connection("svc", seg("nsc", "n1"), seg("nsmgr", "m1"), seg("ensm", "e1"));

    private static MonitorScopeSelector select(PathSegment... wanted) {
        return MonitorScopeSelector.newBuilder().addAllPathSegments(java.util.List.of(wanted)).build();
    }

    @Test
    void emptySelectorMatchesEverything() {
        assertThat(ScopeFilter.matches(MonitorScopeSelector.getDefaultInstance(), c)).isTrue();
    }

    @Test
    void consecutiveSubPathMatches() {
        assertThat(ScopeFilter.matches(select(seg("nsmgr", "m1"), seg("ensm", "e1")), c)).isTrue();
    }

    @Test
    void nonConsecutiveSegmentsDoNotMatch() {
        assertThat(ScopeFilter.matches(select(seg("nsc", "n1"), seg("ensm", "e1")), c)).isFalse();
    }

    @Test
    void emptyFieldsAreWildcards() {
        assertThat(ScopeFilter.matches(select(seg("", "m1")), c)).isTrue();
        assertThat(ScopeFilter.matches(select(seg("nsmgr", "")), c)).isTrue();
        assertThat(ScopeFilter.matches(select(seg("", ""), seg("ensm", "")), c)).isTrue();
    }

    @Test
    void otherIdDoesNotMatch() {
        assertThat(ScopeFilter.matches(select(seg("nsmgr", "m2")), c)).isFalse();
    }

    @Test
    void selectorLongerThanPathDoesNotMatch() {
        assertThat(ScopeFilter.matches(select(seg("", ""), seg("", ""), seg("", ""), seg("", "")), c)).isFalse();
    }

    @Test
    void networkServicesFilter() {
        assertThat(ScopeFilter.matches(MonitorScopeSelector.newBuilder().addNetworkServices("svc").build(), c)).isTrue();
        assertThat(ScopeFilter.matches(MonitorScopeSelector.newBuilder().addNetworkServices("other").build(), c)).isFalse();
        assertThat(ScopeFilter.matches(MonitorScopeSelector.newBuilder().addNetworkServices("other")
                .addPathSegments(seg("ensm", "e1")).build(), c)).isFalse();
    }
}
