package io.ensm.core.token;

import com.nimbusds.jose.util.JSONObjectUtils;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The path NSM's registry passes in gRPC metadata {@code path}, as JSON
 * {@code {"Index":n,"PathSegments":[{"token":"..."}]}}. Field names are matched without regard to
 * case, as Go's encoding/json does.
 *
 * @param index  the index of the sender's segment
 * @param tokens the token of each segment
 */
public record RegistryPath(int index, List<String> tokens) {
    public RegistryPath {
        tokens = List.copyOf(tokens);
    }

    public static RegistryPath empty() {
        return new RegistryPath(0, List.of());
    }

    /** The path a registry client starts with: its own segment. */
    public static RegistryPath single(String token) {
        return new RegistryPath(0, List.of(token));
    }

    /** @throws IllegalArgumentException when the text is not such a JSON object */
    public static RegistryPath parse(String json) {
        Map<String, Object> object;
        if (!json.strip().startsWith("{")) {
            throw new IllegalArgumentException("metadata path is not a JSON object");
        }
        try {
            object = JSONObjectUtils.parse(json);
        } catch (ParseException e) {
            throw new IllegalArgumentException("metadata path is not a JSON object: " + e.getMessage());
        }
        int index = 0;
        List<String> tokens = new ArrayList<>();
        for (Map.Entry<String, Object> e : object.entrySet()) {
            if (e.getKey().equalsIgnoreCase("Index")) {
                if (!(e.getValue() instanceof Number n) || n.longValue() < 0 || n.longValue() > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("metadata path: Index must be a non-negative integer");
                }
                index = n.intValue();
            } else if (e.getKey().equalsIgnoreCase("PathSegments") && e.getValue() != null) {
                if (!(e.getValue() instanceof List<?> segments)) {
                    throw new IllegalArgumentException("metadata path: PathSegments must be an array");
                }
                for (Object s : segments) {
                    tokens.add(tokenOf(s));
                }
            }
        }
        return new RegistryPath(index, tokens);
    }

    private static String tokenOf(Object segment) {
        if (segment == null) {
            return "";
        }
        if (!(segment instanceof Map<?, ?> fields)) {
            throw new IllegalArgumentException("metadata path: each path segment must be an object");
        }
        for (Map.Entry<?, ?> f : fields.entrySet()) {
            if ("token".equalsIgnoreCase(String.valueOf(f.getKey())) && f.getValue() instanceof String t) {
                return t;
            }
        }
        return "";
    }

    public String toJson() {
        List<Object> segments = new ArrayList<>();
        for (String t : tokens) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("token", t);
            segments.add(s);
        }
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("Index", index);
        object.put("PathSegments", segments);
        return JSONObjectUtils.toJSONString(object);
    }

    @Override
    public String toString() {
        return "RegistryPath[index=" + index + ", segments=" + tokens.size() + "]";
    }
}
