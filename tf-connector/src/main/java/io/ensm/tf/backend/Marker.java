package io.ensm.tf.backend;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Optional;

/**
 * ensm's mark on the objects it writes: two entries in the {@code annotations} key-value pairs
 * every TF resource has, the connection id and the endpoint. Reconciliation only ever removes
 * objects that carry both, with this endpoint's name.
 */
final class Marker {
    static final String CONNECTION = "ensm-connection";
    static final String ENDPOINT = "ensm-endpoint";

    private Marker() {}

    static ObjectNode annotations(String endpoint, String connectionId) {
        ObjectNode annotations = JsonNodeFactory.instance.objectNode();
        ArrayNode pairs = annotations.putArray("key_value_pair");
        pairs.addObject().put("key", CONNECTION).put("value", connectionId);
        pairs.addObject().put("key", ENDPOINT).put("value", endpoint);
        return annotations;
    }

    /** The connection id of an object this endpoint marked; empty for anything else. */
    static Optional<String> connectionOf(JsonNode object, String endpoint) {
        String connection = null;
        String owner = null;
        for (JsonNode pair : object.path("annotations").path("key_value_pair")) {
            String key = pair.path("key").asString("");
            if (key.equals(CONNECTION)) {
                connection = pair.path("value").asString("");
            } else if (key.equals(ENDPOINT)) {
                owner = pair.path("value").asString("");
            }
        }
        return endpoint.equals(owner) && connection != null && !connection.isEmpty() ? Optional.of(connection) : Optional.empty();
    }

    static boolean marks(JsonNode object, String endpoint, String connectionId) {
        return connectionOf(object, endpoint).filter(connectionId::equals).isPresent();
    }
}
