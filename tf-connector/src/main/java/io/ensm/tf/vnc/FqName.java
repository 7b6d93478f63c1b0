package io.ensm.tf.vnc;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * A fully qualified name as TF writes it: the names from the root of the object tree down, e.g.
 * {@code [default-domain, admin, blue]} for a virtual network. TF forbids ':' inside a name, so the
 * colon-joined text form is unambiguous.
 */
public record FqName(List<String> parts) {
    public FqName {
        parts = List.copyOf(parts);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("an fq_name has at least one name");
        }
        for (String p : parts) {
            if (p.isBlank() || p.indexOf(':') >= 0) {
                throw new IllegalArgumentException("fq_name part '" + p + "' is empty or contains ':'");
            }
        }
    }

    public static FqName of(String... parts) {
        return new FqName(List.of(parts));
    }

    /** Parses "default-domain:admin:blue". */
    public static FqName parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty fq_name");
        }
        return new FqName(List.of(text.trim().split(":", -1)));
    }

    public static FqName fromJson(JsonNode array) {
        List<String> parts = new ArrayList<>();
        array.forEach(n -> parts.add(n.asString()));
        return new FqName(parts);
    }

    public ArrayNode toJson() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        parts.forEach(a::add);
        return a;
    }

    public FqName child(String name) {
        List<String> p = new ArrayList<>(parts);
        p.add(name);
        return new FqName(p);
    }

    public FqName parent() {
        if (parts.size() < 2) {
            throw new IllegalStateException(this + " has no parent in the tree");
        }
        return new FqName(parts.subList(0, parts.size() - 1));
    }

    public String name() {
        return parts.getLast();
    }

    public int size() {
        return parts.size();
    }

    @Override
    public String toString() {
        return String.join(":", parts);
    }
}
