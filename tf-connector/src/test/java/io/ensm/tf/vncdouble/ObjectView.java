package io.ensm.tf.vncdouble;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * An object as TF's API shows it on read: its stored fields with {@code href}s added to refs, its
 * identity ({@code uuid}, {@code name}, {@code fq_name}, {@code href}, {@code parent_*},
 * {@code id_perms}), its {@code <type>_back_refs} and its children ({@code <child_type>s}).
 */
final class ObjectView {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ObjectStore store;

    ObjectView(ObjectStore store) {
        this.store = store;
    }

    /** The object as a read shows it; callers hold the store's lock. */
    ObjectNode of(ObjectStore.Obj o, boolean backRefs, boolean children) {
        ObjectNode v = o.fields.deepCopy();
        v.put("uuid", o.uuid);
        v.put("name", o.fqName.getLast());
        v.set("fq_name", Names.array(o.fqName));
        v.put("href", store.href(o));
        if (o.parentUuid != null) {
            ObjectStore.Obj p = store.get(o.parentUuid);
            v.put("parent_type", p.type);
            v.put("parent_uuid", p.uuid);
            v.put("parent_href", store.href(p));
        }
        ObjectNode perms = v.putObject("id_perms");
        perms.put("enable", true).put("user_visible", true)
                .put("created", o.created.toString()).put("last_modified", o.modified.toString());
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (e.getKey().endsWith("_refs")) {
                String type = TypeSchema.refType(e.getKey());
                e.getValue().forEach(r -> ((ObjectNode) r).put("href", store.hrefBase() + "/" + type + "/" + r.path("uuid").asString()));
            }
        }
        if (backRefs) {
            for (ObjectStore.Obj other : store.referrers(o.uuid)) {
                for (JsonNode r : other.fields.path(TypeSchema.field(o.type) + "_refs")) {
                    if (r.path("uuid").asString("").equals(o.uuid)) {
                        ObjectNode b = v.withArrayProperty(TypeSchema.field(other.type) + "_back_refs").addObject();
                        b.set("to", Names.array(other.fqName));
                        b.put("uuid", other.uuid);
                        b.set("attr", r.path("attr").isMissingNode() ? NODES.nullNode() : r.get("attr"));
                        b.put("href", store.href(other));
                    }
                }
            }
        }
        if (children) {
            for (ObjectStore.Obj child : store.children(o.uuid)) {
                ObjectNode c = v.withArrayProperty(TypeSchema.field(child.type) + "s").addObject();
                c.set("to", Names.array(child.fqName));
                c.put("uuid", child.uuid);
                c.put("href", store.href(child));
            }
        }
        return v;
    }
}
