package io.ensm.core.token;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryPathTest {
    @Test
    void writesNsmsJsonShape() {
        assertThat(new RegistryPath(1, List.of("t0", "t1")).toJson())
                .isEqualTo("{\"Index\":1,\"PathSegments\":[{\"token\":\"t0\"},{\"token\":\"t1\"}]}");
    }

    @Test
    void readsWhatGoWritesIncludingNullSegmentsAndAnyCase() {
        assertThat(RegistryPath.parse("{\"Index\":0,\"PathSegments\":null}")).isEqualTo(RegistryPath.empty());
        assertThat(RegistryPath.parse("{\"index\":2,\"pathSegments\":[{\"token\":\"a\"},{\"Token\":\"b\"},{}]}"))
                .isEqualTo(new RegistryPath(2, List.of("a", "b", "")));
        assertThat(RegistryPath.parse(new RegistryPath(0, List.of("x")).toJson())).isEqualTo(RegistryPath.single("x"));
    }

    @Test
    void malformedPathIsRefusedSayingWhy() {
        assertThatThrownBy(() -> RegistryPath.parse("[]")).hasMessageContaining("metadata path");
        assertThatThrownBy(() -> RegistryPath.parse("{\"Index\":-1}")).hasMessageContaining("Index");
        assertThatThrownBy(() -> RegistryPath.parse("{\"PathSegments\":{}}")).hasMessageContaining("PathSegments");
    }
}
