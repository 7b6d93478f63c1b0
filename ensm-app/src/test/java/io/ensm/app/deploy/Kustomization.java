package io.ensm.app.deploy;

import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Renders the subset of kustomize that config/kubernetes uses, without a kustomize binary (Debian's
 * kubectl is too old to read these kustomizations): {@code resources} (files and directories)
 * and {@code patches} that name a strategic-merge patch file. Strategic merge as the API server's:
 * maps merge, a null removes the field, the lists the API merges by key (containers, env,
 * volumes by name, volume mounts by mount path) merge element by element, other lists are
 * replaced. Anything else in a kustomization is refused, so a feature this does not know never
 * passes unrendered.
 */
final class Kustomization {
    private static final Set<String> KNOWN = Set.of("apiVersion", "kind", "resources", "patches");
    private static final Map<String, String> MERGE_KEYS = Map.of("containers", "name", "initContainers", "name",
            "env", "name", "volumes", "name", "volumeMounts", "mountPath", "imagePullSecrets", "name");

    private Kustomization() {}

    /** Every YAML document of a file, as maps. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(Path file) {
        try {
            List<Map<String, Object>> docs = new ArrayList<>();
            for (Object doc : new Yaml().loadAll(Files.readString(file))) {
                if (doc != null) {
                    docs.add((Map<String, Object>) doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objects the kustomization in {@code dir} stands for. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> render(Path dir) {
        Map<String, Object> k = documents(dir.resolve("kustomization.yaml")).getFirst();
        for (String key : k.keySet()) {
            if (!KNOWN.contains(key)) {
                throw new IllegalArgumentException(dir + "/kustomization.yaml: '" + key + "' is not rendered by this test; extend Kustomization");
            }
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object r : (List<Object>) k.getOrDefault("resources", List.of())) {
            Path p = dir.resolve(r.toString()).normalize();
            objects.addAll(Files.isDirectory(p) ? render(p) : documents(p));
        }
        for (Object entry : (List<Object>) k.getOrDefault("patches", List.of())) {
            Map<String, Object> patch = (Map<String, Object>) entry;
            if (!patch.keySet().equals(Set.of("path"))) {
                throw new IllegalArgumentException(dir + ": only patches naming a strategic-merge file are rendered, not " + patch);
            }
            for (Map<String, Object> p : documents(dir.resolve(patch.get("path").toString()))) {
                Map<String, Object> target = objects.stream().filter(o -> sameObject(o, p)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(dir + "/" + patch.get("path") + ": no resource "
                                + p.get("kind") + " " + meta(p, "name") + " to patch"));
                objects.set(objects.indexOf(target), merge(target, p));
            }
        }
        return objects;
    }

    static boolean sameObject(Map<String, Object> a, Map<String, Object> b) {
        return Objects.equals(a.get("apiVersion"), b.get("apiVersion")) && Objects.equals(a.get("kind"), b.get("kind"))
                && Objects.equals(meta(a, "name"), meta(b, "name")) && Objects.equals(meta(a, "namespace"), meta(b, "namespace"));
    }

    static Object meta(Map<String, Object> o, String field) {
        return o.get("metadata") instanceof Map<?, ?> m ? m.get(field) : null;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> patch) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        patch.forEach((key, value) -> {
            Object old = out.get(key);
            if (value == null) {
                out.remove(key);
            } else if (old instanceof Map<?, ?> o && value instanceof Map<?, ?> v) {
                out.put(key, merge((Map<String, Object>) o, (Map<String, Object>) v));
            } else if (old instanceof List<?> o && value instanceof List<?> v && MERGE_KEYS.containsKey(key)) {
                out.put(key, mergeByKey((List<Map<String, Object>>) o, (List<Map<String, Object>>) v, MERGE_KEYS.get(key)));
            } else {
                out.put(key, value);
            }
        });
        return out;
    }

    private static List<Map<String, Object>> mergeByKey(List<Map<String, Object>> base, List<Map<String, Object>> patch, String key) {
        List<Map<String, Object>> out = new ArrayList<>(base);
        for (Map<String, Object> p : patch) {
            int at = -1;
            for (int i = 0; i < out.size(); i++) {
                if (Objects.equals(out.get(i).get(key), p.get(key))) {
                    at = i;
                }
            }
            if (at < 0) {
                out.add(p);
            } else {
                out.set(at, merge(out.get(at), p));
            }
        }
        return out;
    }
}
