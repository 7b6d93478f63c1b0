package io.ensm.app.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a Kubernetes object (as parsed from YAML) against the API's types, offline: fabric8's
 * kubernetes-model classes are generated from the API's OpenAPI schema, so reading the object into
 * them strictly checks every field name and type. The classes keep unknown fields aside instead of
 * refusing them, so after reading, every object in the tree must have kept none; and scalars are
 * never converted (a quoted number for an integer field is refused, as the API server does).
 */
final class KubernetesSchema {
    private static final JsonMapper MAPPER = strictMapper();

    private KubernetesSchema() {}

    private static JsonMapper strictMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .build();
        for (LogicalType type : List.of(LogicalType.Textual, LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                    CoercionInputShape.Boolean, CoercionInputShape.String, CoercionInputShape.EmptyString)) {
                mapper.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
            }
        }
        return mapper;
    }

    /** What is wrong with this object; empty when it matches the API's types. */
    static List<String> problems(Map<String, Object> object) {
        String where = object.get("kind") + " " + name(object);
        KubernetesResource read;
        try {
            read = MAPPER.convertValue(object, KubernetesResource.class);
        } catch (IllegalArgumentException e) {
            return List.of(where + ": " + firstLine(e.getMessage()));
        }
        if (read == null || read instanceof GenericKubernetesResource) {
            return List.of(where + ": apiVersion " + object.get("apiVersion") + " kind " + object.get("kind")
                    + " is not a Kubernetes API type");
        }
        List<String> problems = new ArrayList<>();
        unknownFields(read, where, problems);
        return problems;
    }

    private static String name(Map<String, Object> object) {
        return object.get("metadata") instanceof Map<?, ?> m ? String.valueOf(m.get("name")) : "(no metadata)";
    }

    private static String firstLine(String message) {
        return message == null ? "unreadable" : message.lines().findFirst().orElse(message).replaceAll(" \\(through reference chain.*", "");
    }

    /** Walks the read objects: each fabric8 model keeps the fields its type does not have in additionalProperties. */
    private static void unknownFields(Object value, String path, List<String> problems) {
        switch (value) {
            case null -> { }
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    unknownFields(list.get(i), path + "[" + i + "]", problems);
                }
            }
            case Map<?, ?> map -> map.forEach((k, v) -> unknownFields(v, path + "." + k, problems));
            default -> {
                if (!value.getClass().getPackageName().startsWith("io.fabric8.")) {
                    return;
                }
                for (Method getter : value.getClass().getMethods()) {
                    if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                            || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                        continue;
                    }
                    Object got = invoke(getter, value);
                    if (getter.getName().equals("getAdditionalProperties")) {
                        if (got instanceof Map<?, ?> extra && !extra.isEmpty()) {
                            problems.add(path + ": unknown field(s) " + extra.keySet() + " in " + value.getClass().getSimpleName());
                        }
                    } else {
                        String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
                        unknownFields(got, path + "." + field, problems);
                    }
                }
            }
        }
    }

    private static Object invoke(Method getter, Object on) {
        try {
            return getter.invoke(on);
        } catch (IllegalAccessException | InvocationTargetException e) {
            return null;
        }
    }
}
