package io.ensm.tf.backend;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

class MarkerTest {

    private static ObjectNode object(String... keyValues) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        var pairs = o.putObject("annotations").putArray("key_value_pair");
        for (int i = 0; i < keyValues.length; i += 2) {
            pairs.addObject().put("key", keyValues[i]).put("value", keyValues[i + 1]);
        }
        return o;
    }

    @Test
    void annotationsNameConnectionEndpointAndOwner() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("annotations", Marker.annotations("blue", "ensm-a", "c1"));
        assertThat(o.toString()).contains("\"ensm-connection\"", "\"c1\"", "\"ensm-endpoint\"", "\"blue\"", "\"ensm-owner\"", "\"ensm-a\"");
        assertThat(Marker.connectionOf(o, "blue", "ensm-a")).contains("c1");
        assertThat(Marker.marks(o, "blue", "ensm-a", "c1")).isTrue();
    }

    @Test
    void anotherOwnersObjectIsNeitherSweptNorTakenForOwn() {
        ObjectNode o = object("ensm-connection", "c1", "ensm-endpoint", "blue", "ensm-owner", "ensm-b");
        assertThat(Marker.connectionOf(o, "blue", "ensm-a")).isEmpty();
        assertThat(Marker.marks(o, "blue", "ensm-a", "c1")).isFalse();
    }

    @Test
    void anObjectMarkedWithoutOwnerIsOwnForItsConnectionButNeverSwept() {
        ObjectNode o = object("ensm-connection", "c1", "ensm-endpoint", "blue");
        assertThat(Marker.marks(o, "blue", "ensm-a", "c1")).isTrue();
        assertThat(Marker.connectionOf(o, "blue", "ensm-a")).isEmpty();
    }

    @Test
    void anotherEndpointsOrAnotherConnectionsObjectIsNotThis() {
        ObjectNode o = object("ensm-connection", "c1", "ensm-endpoint", "red", "ensm-owner", "ensm-a");
        assertThat(Marker.marks(o, "blue", "ensm-a", "c1")).isFalse();
        assertThat(Marker.marks(object("ensm-connection", "c2", "ensm-endpoint", "blue", "ensm-owner", "ensm-a"), "blue", "ensm-a", "c1"))
                .isFalse();
    }
}
