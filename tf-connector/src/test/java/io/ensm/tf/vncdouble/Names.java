package io.ensm.tf.vncdouble;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** fq_names and uuids as the API checks them. */
final class Names {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Names() {}

    /** A request's fq_name: a non-empty list of non-empty names without ':' (400 otherwise). */
    static List<String> fqName(JsonNode node) {
        if (!node.isArray() || node.isEmpty()) {
            throw ApiError.badRequest("Bad request: fq_name must be a non-empty list of names");
        }
        List<String> fq = new ArrayList<>();
        for (JsonNode n : node) {
            String s = n.asString("");
            if (!n.isString() || s.isEmpty() || s.indexOf(':') >= 0) {
                throw ApiError.badRequest("Bad request: invalid name " + n + " in fq_name (empty, or contains ':')");
            }
            fq.add(s);
        }
        return fq;
    }

    static void checkUuid(String uuid) {
        try {
            UUID.fromString(uuid);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("Invalid UUID format: " + uuid);
        }
    }

    static ArrayNode array(List<String> items) {
        ArrayNode a = NODES.arrayNode();
        items.forEach(a::add);
        return a;
    }
}
