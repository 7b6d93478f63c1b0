package io.ensm.tf.backend;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Optional;

/**
 * ensm's mark on the objects it writes: three entries in the {@code annotations} key-value pairs
 * every TF resource has, the connection id, the endpoint and the owner (the ensm cluster that
 * wrote it). Reconciliation only ever removes objects that carry all three, with this endpoint's
 * name and this owner's.
 *
 * <p>Objects marked before marks named their owner have no {@code ensm-owner}: they are still
 * this ensm's for a connection it holds (they read back as present and are released on Close),
 * but never swept, since another ensm with an endpoint of the same name may have made them.
 */
final class Marker {
    static final String CONNECTION = "ensm-connection";
    static final String ENDPOINT = "ensm-endpoint";
    static final String OWNER = "ensm-owner";

    private Marker() {}

    static ObjectNode annotations(String endpoint, String owner, String connectionId) {
        ObjectNode annotations = JsonNodeFactory.instance.objectNode();
        ArrayNode pairs = annotations.putArray("key_value_pair");
        pairs.addObject().put("key", CONNECTION).put("value", connectionId);
        pairs.addObject().put("key", ENDPOINT).put("value", endpoint);
        pairs.addObject().put("key", OWNER).put("value", owner);
        return annotations;
    }

    /** The connection id of an object this endpoint and owner marked, for the orphan sweep; empty for anything else. */
    static Optional<String> connectionOf(JsonNode object, String endpoint, String owner) {
        Mark m = read(object);
        return endpoint.equals(m.endpoint()) && owner.equals(m.owner()) && !m.connection().isEmpty()
                ? Optional.of(m.connection()) : Optional.empty();
    }

    /** Whether the object is this connection's: marked by this endpoint and by this owner or by no owner. */
    static boolean marks(JsonNode object, String endpoint, String owner, String connectionId) {
        Mark m = read(object);
        return endpoint.equals(m.endpoint()) && connectionId.equals(m.connection()) && (m.owner() == null || owner.equals(m.owner()));
    }

    /** @param owner null when the object's mark names none */
    private record Mark(String connection, String endpoint, String owner) {}

    private static Mark read(JsonNode object) {
        String connection = "";
        String endpoint = null;
        String owner = null;
        for (JsonNode pair : object.path("annotations").path("key_value_pair")) {
            String key = pair.path("key").asString("");
            String value = pair.path("value").asString("");
            switch (key) {
                case CONNECTION -> connection = value;
                case ENDPOINT -> endpoint = value;
                case OWNER -> owner = value;
                default -> { }
            }
        }
        return new Mark(connection, endpoint, owner);
    }
}
