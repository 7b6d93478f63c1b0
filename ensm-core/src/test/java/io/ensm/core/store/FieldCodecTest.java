package io.ensm.core.store;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FieldCodecTest {

    @Test
    void listsRoundTripIncludingEmptyElementsAndSeparators() {
        for (List<String> list : List.of(List.<String>of(), List.of(""), List.of("10.0.0.1/32", "fd00::1/128"),
                List.of("a,b", "c;d=e%f", ""))) {
            assertThat(FieldCodec.decodeList(FieldCodec.encodeList(list))).isEqualTo(list);
        }
        assertThat(FieldCodec.encodeList(List.of("10.0.0.1/32", "fd00::1/128"))).isEqualTo("10.0.0.1/32,fd00::1/128,");
    }

    @Test
    void mapsRoundTripKeepingOrderAndEscapingSeparators() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("uplink", "eth1");
        m.put("vlan", "100");
        m.put("odd=key", "v;a,l%ue");
        m.put("empty", "");
        assertThat(FieldCodec.encodeMap(Map.of("vlan", "100"))).isEqualTo("vlan=100;");
        assertThat(FieldCodec.decodeMap(FieldCodec.encodeMap(m))).containsExactlyEntriesOf(m);
        assertThat(FieldCodec.decodeMap("")).isEmpty();
    }

    @Test
    void malformedTextIsRejected() {
        assertThatThrownBy(() -> FieldCodec.decodeList("a,b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldCodec.decodeMap("novalue;")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldCodec.decodeList("a%2,")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldCodec.decodeList("a%99,")).isInstanceOf(IllegalArgumentException.class);
    }
}
