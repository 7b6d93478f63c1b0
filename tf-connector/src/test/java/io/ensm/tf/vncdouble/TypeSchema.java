package io.ensm.tf.vncdouble;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The part of TF's schema (vnc_cfg.xsd, fabric.xsd; the yaml schema of tf-api-client) the double
 * serves: for each resource type, its parent type ({@code null} for children of config-root, whose
 * fq_name is just their name) and the types it may refer to with {@code <type>_refs}.
 *
 * @param type      the hyphenated resource type, e.g. {@code virtual-machine-interface}
 * @param parent    the parent's type, or null for config-root
 * @param refs      the types of its refs
 */
public record TypeSchema(String type, String parent, Set<String> refs) {
    public static final List<TypeSchema> ALL = List.of(
            new TypeSchema("domain", null, Set.of()),
            new TypeSchema("project", "domain", Set.of()),
            new TypeSchema("network-ipam", "project", Set.of()),
            new TypeSchema("virtual-network", "project", Set.of("network-ipam")),
            new TypeSchema("global-system-config", null, Set.of()),
            new TypeSchema("fabric", "global-system-config", Set.of()),
            new TypeSchema("physical-router", "global-system-config", Set.of()),
            new TypeSchema("physical-interface", "physical-router", Set.of()),
            new TypeSchema("virtual-port-group", "fabric", Set.of("physical-interface", "virtual-machine-interface")),
            new TypeSchema("virtual-machine-interface", "project", Set.of("virtual-network", "virtual-port-group")),
            new TypeSchema("instance-ip", null, Set.of("virtual-network", "virtual-machine-interface")));

    private static final Map<String, TypeSchema> BY_TYPE = ALL.stream().collect(Collectors.toMap(TypeSchema::type, Function.identity()));

    /** The schema of a type, or the 404 TF answers for a type it does not know. */
    public static TypeSchema of(String type) {
        TypeSchema s = type == null ? null : BY_TYPE.get(type.replace('_', '-'));
        if (s == null) {
            throw ApiError.notFound("Resource type '" + type + "' not found");
        }
        return s;
    }

    /** The JSON field of this type's collection or refs: hyphens become underscores. */
    public static String field(String type) {
        return type.replace('-', '_');
    }

    /** The type a {@code <type>_refs} field refers to, or null when the field is not a ref list. */
    static String refType(String fieldName) {
        return fieldName.endsWith("_refs") ? fieldName.substring(0, fieldName.length() - 5).replace('_', '-') : null;
    }
}
