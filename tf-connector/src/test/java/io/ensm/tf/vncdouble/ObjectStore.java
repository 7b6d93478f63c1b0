package io.ensm.tf.vncdouble;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The objects of the double and the generic rules of TF's config API that hold for every type:
 * a uuid per object (assigned unless the request brings one), fq_name unique per type, a parent
 * that must exist, refs only to types the schema allows and only to existing objects, back refs
 * and children shown on read, and no delete while children or (non-relaxed) back refs remain.
 * Type-specific behaviour is in {@link TypeRules}. All methods are atomic (one lock).
 */
public final class ObjectStore {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Fields the server owns: taken from the request path or computed, never stored as sent. */
    /** What a read answers besides the fields asked for. */
    private static final Set<String> READ_IDENTITY = Set.of("uuid", "fq_name", "name", "parent_type", "parent_uuid", "parent_href",
            "href", "id_perms", "perms2");
    private static final Set<String> IDENTITY = Set.of("uuid", "fq_name", "name", "parent_type", "parent_uuid", "parent_href",
            "href", "id_perms");

    private final Map<String, Obj> byUuid = new LinkedHashMap<>();
    private final Map<String, String> byName = new HashMap<>();
    /** "referrer>referred": refs that do not block deleting the referred object (ref-relax-for-delete). */
    private final Set<String> relaxed = new HashSet<>();
    /** Indexes, so that reads and checks do not scan every object: referred uuid -> referrers, parent -> children. */
    private final Map<String, Set<String>> referredBy = new HashMap<>();
    private final Map<String, Set<String>> childrenOf = new HashMap<>();
    private final Map<String, TypeRules> rules = new HashMap<>();
    private final Supplier<String> hrefBase;
    private final ObjectView views = new ObjectView(this);

    /** One stored object: identity, and the fields as stored (properties and refs). */
    public static final class Obj {
        final String type;
        final String uuid;
        final List<String> fqName;
        final String parentUuid;
        ObjectNode fields;
        final Instant created = Instant.now();
        Instant modified = created;

        Obj(String type, String uuid, List<String> fqName, String parentUuid, ObjectNode fields) {
            this.type = type;
            this.uuid = uuid;
            this.fqName = List.copyOf(fqName);
            this.parentUuid = parentUuid;
            this.fields = fields;
        }

        public String type() {
            return type;
        }

        public String uuid() {
            return uuid;
        }

        public List<String> fqName() {
            return fqName;
        }

        /** A copy of the stored fields (properties and refs). */
        public ObjectNode fields() {
            return fields.deepCopy();
        }
    }

    String hrefBase() {
        return hrefBase.get();
    }

    ObjectStore(Supplier<String> hrefBase) {
        this.hrefBase = hrefBase;
    }

    void rules(String type, TypeRules r) {
        rules.put(type, r);
    }

    // ---- CRUD ----------------------------------------------------------------------------------

    public synchronized ObjectNode create(String type, JsonNode body) {
        TypeSchema schema = TypeSchema.of(type);
        if (!(body.path(schema.type()) instanceof ObjectNode sent)) {
            throw ApiError.badRequest("Bad request: expected a {\"" + schema.type() + "\": {...}} body");
        }
        ObjectNode f = sent.deepCopy();
        List<String> fq = Names.fqName(f.path("fq_name"));
        String parentUuid = parent(schema, f.path("parent_type").asString(""), fq);
        String existing = byName.get(key(schema.type(), fq));
        if (existing != null) {
            throw ApiError.conflict(PyRepr.of(fq) + " already exists with uuid: " + existing);
        }
        String uuid = f.path("uuid").asString("");
        if (uuid.isEmpty()) {
            uuid = UUID.randomUUID().toString();
        } else {
            Names.checkUuid(uuid);
            Obj clash = byUuid.get(uuid);
            if (clash != null) {
                throw ApiError.conflict(uuid + " already exists with fq_name: " + PyRepr.of(clash.fqName));
            }
        }
        ObjectNode stored = NODES.objectNode();
        for (Map.Entry<String, JsonNode> e : f.properties()) {
            if (!IDENTITY.contains(e.getKey())) {
                stored.set(e.getKey(), TypeSchema.refType(e.getKey()) == null ? e.getValue()
                        : refs(schema, e.getKey(), e.getValue(), "create"));
            }
        }
        if (!stored.has("display_name")) {
            stored.put("display_name", fq.getLast());
        }
        Obj o = new Obj(schema.type(), uuid, fq, parentUuid, stored);
        Runnable followUp = rulesOf(o.type).preCreate(this, o);
        byUuid.put(o.uuid, o);
        byName.put(key(o.type, o.fqName), o.uuid);
        index(o);
        if (parentUuid != null) {
            childrenOf.computeIfAbsent(parentUuid, k -> new java.util.LinkedHashSet<>()).add(o.uuid);
        }
        followUp.run();
        ObjectNode answer = NODES.objectNode();
        ObjectNode inner = answer.putObject(o.type);
        inner.put("name", fq.getLast());
        inner.set("fq_name", Names.array(fq));
        inner.put("uuid", o.uuid);
        inner.put("href", href(o));
        if (parentUuid != null) {
            Obj p = byUuid.get(parentUuid);
            inner.put("parent_type", p.type);
            inner.put("parent_uuid", p.uuid);
            inner.put("parent_href", href(p));
        }
        return answer;
    }

    /** {@code GET /<type>/<uuid>}: the object with its refs, back refs and children. */
    public synchronized ObjectNode read(String type, String uuid, boolean backRefs, boolean children) {
        Obj o = require(type, uuid);
        ObjectNode answer = NODES.objectNode();
        answer.set(o.type, views.of(o, backRefs, children));
        return answer;
    }

    /** {@code GET /<type>/<uuid>?fields=..}: the object's identity and the fields asked for only. */
    public synchronized ObjectNode read(String type, String uuid, Set<String> fields) {
        Obj o = require(type, uuid);
        ObjectNode view = views.of(o, fields.stream().anyMatch(f -> f.endsWith("_back_refs")), true);
        Set<String> keep = new java.util.HashSet<>(READ_IDENTITY);
        keep.addAll(fields);
        view.retain(keep);
        ObjectNode answer = NODES.objectNode();
        answer.set(o.type, view);
        return answer;
    }

    public synchronized ObjectNode update(String type, String uuid, JsonNode body) {
        Obj o = require(type, uuid);
        if (!(body.path(o.type) instanceof ObjectNode sent)) {
            throw ApiError.badRequest("Bad request: expected a {\"" + o.type + "\": {...}} body");
        }
        if (sent.has("fq_name") && !Names.fqName(sent.path("fq_name")).equals(o.fqName)) {
            throw ApiError.badRequest("Bad request: fq_name of " + o.uuid + " cannot be changed");
        }
        ObjectNode merged = o.fields.deepCopy();
        TypeSchema schema = TypeSchema.of(o.type);
        for (Map.Entry<String, JsonNode> e : sent.properties()) {
            if (!IDENTITY.contains(e.getKey())) {
                merged.set(e.getKey(), TypeSchema.refType(e.getKey()) == null ? e.getValue()
                        : refs(schema, e.getKey(), e.getValue(), "update"));
            }
        }
        Runnable followUp = rulesOf(o.type).preUpdate(this, o, merged);
        unindex(o);
        o.fields = merged;
        index(o);
        o.modified = Instant.now();
        followUp.run();
        ObjectNode answer = NODES.objectNode();
        answer.putObject(o.type).put("uuid", o.uuid).put("href", href(o));
        return answer;
    }

    public synchronized void delete(String type, String uuid) {
        TypeSchema.of(type);
        if (!byUuid.containsKey(uuid)) {
            throw ApiError.notFound("ID " + uuid + " does not exist"); // a read says "Unknown id: ..."
        }
        Obj o = require(type, uuid);
        List<String> children = children(o.uuid).stream().map(this::href).toList();
        if (!children.isEmpty()) {
            throw ApiError.conflict("Delete when children still present: " + PyRepr.of(children));
        }
        List<String> referrers = new ArrayList<>();
        List<Obj> relaxedReferrers = new ArrayList<>();
        for (Obj r : referrers(o.uuid)) {
            if (relaxed.contains(r.uuid + ">" + o.uuid)) {
                relaxedReferrers.add(r);
            } else {
                referrers.add(href(r));
            }
        }
        if (!referrers.isEmpty()) {
            throw ApiError.conflict("Delete when resource still referred: " + PyRepr.of(referrers));
        }
        for (Obj r : relaxedReferrers) {
            removeRef(r, o.type, o.uuid);
        }
        outgoing(o).forEach(t -> relaxed.remove(o.uuid + ">" + t));
        unindex(o);
        referredBy.remove(o.uuid);
        childrenOf.remove(o.uuid);
        if (o.parentUuid != null) {
            childrenOf.getOrDefault(o.parentUuid, new HashSet<>()).remove(o.uuid);
        }
        byUuid.remove(o.uuid);
        byName.remove(key(o.type, o.fqName));
        relaxedReferrers.forEach(r -> relaxed.remove(r.uuid + ">" + o.uuid));
    }

    /**
     * {@code GET /<type>s}: by parent, by referred object, by uuid; detailed (each item wrapped in
     * {@code {"<type>": {...}}}) or as href/fq_name/uuid plus the {@code fields} asked for.
     */
    public synchronized ObjectNode list(String type, Set<String> parentIds, Set<String> backRefIds, Set<String> objUuids,
                                        boolean detail, Set<String> fields) {
        TypeSchema schema = TypeSchema.of(type);
        ArrayNode items = NODES.arrayNode();
        boolean withBackRefs = fields.stream().anyMatch(f -> f.endsWith("_back_refs"));
        List<Obj> candidates = parentIds.isEmpty() ? List.copyOf(byUuid.values())
                : parentIds.stream().flatMap(p -> children(p).stream()).toList();
        for (Obj o : candidates) {
            if (!o.type.equals(schema.type()) || !objUuids.isEmpty() && !objUuids.contains(o.uuid)
                    || !backRefIds.isEmpty() && backRefIds.stream().noneMatch(id -> referredBy.getOrDefault(id, Set.of()).contains(o.uuid))) {
                continue;
            }
            if (detail) {
                items.addObject().set(o.type, views.of(o, withBackRefs, false));
            } else {
                ObjectNode item = items.addObject();
                item.put("href", href(o)).put("uuid", o.uuid).set("fq_name", Names.array(o.fqName));
                for (String f : fields) {
                    if (o.fields.has(f)) {
                        item.set(f, o.fields.get(f).deepCopy());
                    } else if (f.endsWith("_back_refs")) {
                        JsonNode computed = views.of(o, true, false).get(f);
                        if (computed != null) {
                            item.set(f, computed);
                        }
                    }
                }
            }
        }
        ObjectNode answer = NODES.objectNode();
        answer.set(schema.type() + "s", items);
        return answer;
    }

    // ---- for actions, type rules and tests ------------------------------------------------------

    synchronized String uuidOf(String type, List<String> fqName) {
        return byName.get(key(type, fqName));
    }

    synchronized void touch(Obj o) {
        o.modified = Instant.now();
    }

    public synchronized Obj get(String uuid) {
        return byUuid.get(uuid);
    }

    public synchronized Obj find(String type, List<String> fqName) {
        String uuid = byName.get(key(type, fqName));
        return uuid == null ? null : byUuid.get(uuid);
    }

    public synchronized List<Obj> all(String type) {
        return byUuid.values().stream().filter(o -> o.type.equals(type)).toList();
    }

    /** Objects with a ref to {@code uuid}. */
    synchronized List<Obj> referrers(String uuid) {
        return referredBy.getOrDefault(uuid, Set.of()).stream().map(byUuid::get).filter(java.util.Objects::nonNull).toList();
    }

    /** The children of an object. */
    synchronized List<Obj> children(String uuid) {
        return childrenOf.getOrDefault(uuid, Set.of()).stream().map(byUuid::get).filter(java.util.Objects::nonNull).toList();
    }

    /** Adds (or replaces the attr of) a ref from {@code from} to {@code to}. */
    synchronized void addRef(Obj from, Obj to, JsonNode attr) {
        String field = TypeSchema.field(to.type) + "_refs";
        ArrayNode refs = from.fields.withArrayProperty(field);
        for (JsonNode r : refs) {
            if (r.path("uuid").asString("").equals(to.uuid)) {
                ((ObjectNode) r).set("attr", attr == null ? NODES.nullNode() : attr);
                return;
            }
        }
        ObjectNode ref = refs.addObject();
        ref.set("to", Names.array(to.fqName));
        ref.put("uuid", to.uuid);
        ref.set("attr", attr == null ? NODES.nullNode() : attr);
        referredBy.computeIfAbsent(to.uuid, k -> new java.util.LinkedHashSet<>()).add(from.uuid);
    }

    synchronized void removeRef(Obj from, String toType, String toUuid) {
        JsonNode refs = from.fields.get(TypeSchema.field(toType) + "_refs");
        if (refs instanceof ArrayNode a) {
            for (int i = a.size() - 1; i >= 0; i--) {
                if (a.get(i).path("uuid").asString("").equals(toUuid)) {
                    a.remove(i);
                }
            }
        }
        if (!outgoing(from).contains(toUuid)) {
            referredBy.getOrDefault(toUuid, new HashSet<>()).remove(from.uuid);
        }
    }

    synchronized void relax(String fromUuid, String toUuid) {
        relaxed.add(fromUuid + ">" + toUuid);
    }

    /** The uuids an object refers to in one ref field. */
    static List<String> refUuids(JsonNode fields, String refType) {
        List<String> uuids = new ArrayList<>();
        fields.path(TypeSchema.field(refType) + "_refs").forEach(r -> uuids.add(r.path("uuid").asString("")));
        return uuids;
    }

    // ---- internals -----------------------------------------------------------------------------

    private TypeRules rulesOf(String type) {
        return rules.getOrDefault(type, TypeRules.NONE);
    }

    private Obj require(String type, String uuid) {
        TypeSchema schema = TypeSchema.of(type);
        Obj o = byUuid.get(uuid);
        if (o == null) {
            throw ApiError.notFound("Unknown id: " + uuid);
        }
        if (!o.type.equals(schema.type())) {
            throw ApiError.notFound("No " + schema.type() + " object found for id " + uuid);
        }
        return o;
    }

    private String parent(TypeSchema schema, String parentType, List<String> fq) {
        String pt = parentType.equals("config-root") ? "" : parentType;
        if (schema.parent() == null) {
            if (!pt.isEmpty() || fq.size() != 1) {
                throw ApiError.badRequest("Bad request: " + schema.type() + " is a child of config-root, its fq_name is just its name");
            }
            return null;
        }
        if (!pt.isEmpty() && !pt.equals(schema.parent())) {
            throw ApiError.badRequest("Bad request: " + pt + " cannot be the parent of a " + schema.type());
        }
        List<String> parentFq = fq.subList(0, fq.size() - 1);
        Obj p = parentFq.isEmpty() ? null : find(schema.parent(), parentFq);
        if (p == null) {
            throw ApiError.notFound("Name" + PyRepr.of(parentFq) + " not found"); // sic, without a space
        }
        return p.uuid;
    }

    private ArrayNode refs(TypeSchema schema, String field, JsonNode sent, String operation) {
        String refType = TypeSchema.refType(field);
        if (!schema.refs().contains(refType)) {
            throw ApiError.badRequest("Bad reference in " + operation + ": " + schema.type() + " has no " + field);
        }
        ArrayNode out = NODES.arrayNode();
        if (sent.isNull()) {
            return out;
        }
        if (!sent.isArray()) {
            throw ApiError.badRequest("Bad reference in " + operation + ": " + field + " is not a list");
        }
        for (JsonNode ref : sent) {
            // OpenSDN resolves a ref by its fq_name ("to") alone; without one its handler fails (500)
            if (!ref.path("to").isArray()) {
                throw new ApiError(500, "KeyError: 'to'");
            }
            Obj target = find(refType, Names.fqName(ref.path("to")));
            if (target == null) {
                // What TF says when a ref of a new object names nothing (_validate_perms_in_request).
                throw ApiError.badRequest("Unknown reference in resource " + operation + " " + ref);
            }
            ObjectNode r = out.addObject();
            r.set("to", Names.array(target.fqName));
            r.put("uuid", target.uuid);
            r.set("attr", ref.has("attr") ? ref.get("attr") : NODES.nullNode());
        }
        return out;
    }

    private void index(Obj o) {
        for (String target : outgoing(o)) {
            referredBy.computeIfAbsent(target, k -> new java.util.LinkedHashSet<>()).add(o.uuid);
        }
    }

    private void unindex(Obj o) {
        for (String target : outgoing(o)) {
            Set<String> referrers = referredBy.get(target);
            if (referrers != null) {
                referrers.remove(o.uuid);
            }
        }
    }

    /** The uuids an object refers to, over all its ref fields. */
    private static Set<String> outgoing(Obj o) {
        Set<String> targets = new HashSet<>();
        for (Map.Entry<String, JsonNode> e : o.fields.properties()) {
            if (e.getKey().endsWith("_refs")) {
                e.getValue().forEach(r -> targets.add(r.path("uuid").asString("")));
            }
        }
        return targets;
    }

    String href(Obj o) {
        return hrefBase.get() + "/" + o.type + "/" + o.uuid;
    }

    static String key(String type, List<String> fq) {
        return type + "\n" + String.join(":", fq);
    }
}
