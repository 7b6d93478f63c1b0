package io.ensm.tf.vncdouble;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/**
 * The action URLs of TF's config API that are not one resource's CRUD: {@code /fqname-to-id},
 * {@code /id-to-fqname}, {@code /ref-update} and {@code /ref-relax-for-delete}, with the checks and
 * messages of TF's handlers ({@code fq_name_to_id_http_post}, {@code ref_update_http_post}, ...).
 * Each runs under the store's lock.
 */
final class ApiActions {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ObjectStore store;

    ApiActions(ObjectStore store) {
        this.store = store;
    }

    ObjectNode fqNameToId(JsonNode body) {
        synchronized (store) {
            TypeSchema schema = TypeSchema.of(body.path("type").asString(null));
            List<String> fq = Names.fqName(body.path("fq_name"));
            String uuid = store.uuidOf(schema.type(), fq);
            if (uuid == null) {
                throw ApiError.notFound("Name " + PyRepr.of(fq) + " not found");
            }
            return NODES.objectNode().put("uuid", uuid);
        }
    }

    ObjectNode idToFqName(JsonNode body) {
        synchronized (store) {
            String uuid = body.path("uuid").asString("");
            ObjectStore.Obj o = store.get(uuid);
            if (o == null) {
                throw ApiError.notFound("UUID " + uuid + " not found");
            }
            ObjectNode answer = NODES.objectNode();
            answer.set("fq_name", Names.array(o.fqName));
            answer.put("type", o.type);
            return answer;
        }
    }

    /** {@code POST /ref-update}, with the checks and messages of TF's {@code ref_update_http_post}. */
    ObjectNode refUpdate(JsonNode body) {
        synchronized (store) {
            String type = text(body, "type");
            String uuid = text(body, "uuid");
            String refType = text(body, "ref-type");
            String operation = text(body, "operation");
            if (type == null || uuid == null || refType == null || operation == null) {
                throw ApiError.badRequest("Bad Request: type/uuid/ref-type/operation is null: " + type + ", " + uuid + ", " + refType
                        + ", " + operation + ".");
            }
            TypeSchema schema = TypeSchema.of(type);
            TypeSchema refSchema = TypeSchema.of(refType);
            operation = operation.toUpperCase(Locale.ROOT);
            if (!operation.equals("ADD") && !operation.equals("DELETE")) {
                throw ApiError.badRequest("Bad Request: operation should be add or delete: " + operation);
            }
            String refUuid = text(body, "ref-uuid");
            JsonNode refFq = body.path("ref-fq-name");
            if (refUuid == null && !refFq.isArray()) {
                throw ApiError.badRequest("Bad Request: ref-uuid or ref-fq-name must be specified");
            }
            if (refUuid == null) {
                List<String> fq = Names.fqName(refFq);
                refUuid = store.uuidOf(refSchema.type(), fq);
                if (refUuid == null) {
                    throw ApiError.notFound("Name " + PyRepr.of(fq) + " not found");
                }
            }
            ObjectStore.Obj o = store.get(uuid);
            if (o == null || !o.type.equals(schema.type())) {
                throw ApiError.notFound("Unknown id: " + uuid);
            }
            ObjectStore.Obj target = store.get(refUuid);
            if (operation.equals("ADD") && (target == null || !target.type.equals(refSchema.type()))) {
                throw ApiError.notFound("Unknown id: " + refUuid);
            }
            if (!schema.refs().contains(refSchema.type())) {
                throw ApiError.badRequest("Bad Request: " + schema.type() + " has no refs to " + refSchema.type());
            }
            if (operation.equals("ADD")) {
                store.addRef(o, target, body.get("attr"));
            } else {
                store.removeRef(o, refSchema.type(), refUuid);
            }
            store.touch(o);
            return NODES.objectNode().put("uuid", o.uuid);
        }
    }

    /** {@code POST /ref-relax-for-delete}: the ref from uuid to ref-uuid no longer blocks deleting ref-uuid. */
    ObjectNode relaxForDelete(JsonNode body) {
        synchronized (store) {
            String uuid = text(body, "uuid");
            String refUuid = text(body, "ref-uuid");
            if (uuid == null || refUuid == null) {
                throw ApiError.badRequest("Bad Request: Both uuid and ref-uuid should be specified: " + uuid + ", " + refUuid + ".");
            }
            if (store.get(uuid) == null) {
                throw ApiError.notFound("uuid " + uuid + " not found");
            }
            store.relax(uuid, refUuid);
            return NODES.objectNode().put("uuid", uuid);
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.path(field);
        return n.isString() && !n.asString().isEmpty() ? n.asString() : null;
    }
}
