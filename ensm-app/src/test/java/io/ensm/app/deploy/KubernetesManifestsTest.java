package io.ensm.app.deploy;

import io.ensm.core.testing.Cmd;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * config/kubernetes as an operator applies it: every file and every rendered kustomization (the
 * base and each overlay) matches the Kubernetes API's types offline (field names and types, see
 * {@link KubernetesSchema}); the probes, resources, disruption budget, replicas on etcd and the
 * forwarder's host network are where they belong; and the validator refuses a misspelled field or
 * a wrong type.
 */
class KubernetesManifestsTest {
    static final Path ROOT = projectRoot();
    static final Path MANIFESTS = ROOT.resolve("config/kubernetes");
    static final List<String> KUSTOMIZATIONS = List.of("base", "overlays/replicas-etcd", "overlays/forwarder");

    static Path projectRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("config/kubernetes"))) {
                return d;
            }
        }
        throw new IllegalStateException("config/kubernetes not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyFileMatchesTheApiTypes() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(MANIFESTS)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") && !p.endsWith("kustomization.yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(3);
        List<String> problems = new ArrayList<>();
        for (Path f : files) {
            // patches are partial objects: their fields are checked all the same
            for (Map<String, Object> doc : Kustomization.documents(f)) {
                KubernetesSchema.problems(doc).forEach(p -> problems.add(MANIFESTS.relativize(f) + ": " + p));
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyKustomizationRendersToValidObjects() {
        for (String k : KUSTOMIZATIONS) {
            List<Map<String, Object>> objects = Kustomization.render(MANIFESTS.resolve(k));
            assertThat(objects).as(k).extracting(o -> o.get("kind"))
                    .containsExactlyInAnyOrder("ConfigMap", "Service", "PodDisruptionBudget", "StatefulSet");
            for (Map<String, Object> o : objects) {
                assertThat(KubernetesSchema.problems(o)).as(k + " " + o.get("kind")).isEmpty();
            }
        }
    }

    @Test
    void baseHasStartupProbeResourcesAndBudget() {
        Map<String, Object> base = byKind(Kustomization.render(MANIFESTS.resolve("base")));
        Map<String, Object> container = container(base);
        Map<String, Object> startup = at(container, "startupProbe");
        assertThat(startup).containsEntry("httpGet", Map.of("path", "/actuator/health/liveness", "port", "http"));
        // liveness only after the start, which may take minutes with a large store
        assertThat((int) startup.get("periodSeconds") * (int) startup.get("failureThreshold")).isGreaterThanOrEqualTo(300);
        assertThat(at(container, "livenessProbe")).doesNotContainKey("initialDelaySeconds");
        assertThat(at(container, "resources", "requests")).containsKeys("cpu", "memory");
        assertThat(at(container, "resources", "limits")).containsKeys("cpu", "memory");
        assertThat(at(base, "PodDisruptionBudget", "spec", "selector", "matchLabels"))
                .isEqualTo(at(base, "StatefulSet", "spec", "selector", "matchLabels"));
        assertThat(at(base, "StatefulSet", "spec", "template", "spec", "securityContext")).containsEntry("runAsNonRoot", true);
        assertThat(at(base, "StatefulSet", "spec")).containsKey("volumeClaimTemplates");
    }

    @Test
    void replicasOverlayRunsThreeOnEtcdWithoutVolumes() {
        Map<String, Object> r = byKind(Kustomization.render(MANIFESTS.resolve("overlays/replicas-etcd")));
        assertThat(at(r, "StatefulSet", "spec")).containsEntry("replicas", 3).doesNotContainKey("volumeClaimTemplates");
        assertThat(at(r, "StatefulSet", "spec", "template", "spec")).containsKey("affinity");
        assertThat(container(r).get("env").toString()).contains("POD_NAME", "SPIFFE_ENDPOINT_SOCKET");
        assertThat(at(container(r), "startupProbe")).isNotNull();
        assertThat(at(r, "PodDisruptionBudget", "spec")).containsEntry("maxUnavailable", 1);
        Map<String, Object> config = new Yaml().load(at(r, "ConfigMap", "data").get("application.yaml").toString());
        assertThat(at(config, "ensm", "store")).containsEntry("type", "etcd");
        assertThat(at(config, "ensm")).containsEntry("replica", "${POD_NAME}");
    }

    @Test
    void forwarderOverlayHasHostNetworkAndNetAdmin() {
        Map<String, Object> f = byKind(Kustomization.render(MANIFESTS.resolve("overlays/forwarder")));
        assertThat(at(f, "StatefulSet", "spec", "template", "spec")).containsEntry("hostNetwork", true)
                .containsEntry("dnsPolicy", "ClusterFirstWithHostNet");
        assertThat(at(container(f), "securityContext", "capabilities")).containsEntry("add", List.of("NET_ADMIN"));
        Map<String, Object> config = new Yaml().load(at(f, "ConfigMap", "data").get("application.yaml").toString());
        assertThat(at(config, "ensm", "forwarder")).containsEntry("type", "bridge");
    }

    /** Where kubectl with a kustomize of its own is on the machine, it renders exactly what the test renders. */
    @Test
    void renderingMatchesKubectlKustomizeWhereItRuns() {
        // kustomize 4 and later read `resources: [dir]` and `patches`; Debian's kubectl 1.20 has 2.0.3
        String version = Cmd.available("kubectl") ? Cmd.exec("kubectl", "version", "--client").output() : "";
        if (!version.matches("(?s).*Kustomize Version: v([4-9]|\\d\\d)\\..*")) {
            System.err.println("no kubectl with kustomize 4 or later here: the test's own rendering is not compared ("
                    + version.strip().replace('\n', ' ') + ")");
            return;
        }
        for (String k : KUSTOMIZATIONS) {
            Cmd.Result r = Cmd.exec("kubectl", "kustomize", MANIFESTS.resolve(k).toString());
            assertThat(r.exit()).as("kubectl kustomize " + k + ": " + r.output()).isZero();
            List<Object> theirs = new ArrayList<>();
            for (Object doc : new Yaml().loadAll(r.output().replaceAll("(?m)^# Warning:.*$", ""))) {
                theirs.add(canonical(doc));
            }
            List<Object> ours = new ArrayList<>(Kustomization.render(MANIFESTS.resolve(k)).stream().map(KubernetesManifestsTest::canonical).toList());
            Comparator<Object> byText = Comparator.comparing(Object::toString);
            theirs.sort(byText);
            ours.sort(byText);
            assertThat(ours).as(k).isEqualTo(theirs);
        }
    }

    @Test
    void validatorRefusesMisspelledFieldsAndWrongTypes() {
        Map<String, Object> good = byKind(Kustomization.render(MANIFESTS.resolve("base")));
        Map<String, Object> set = object(good, "StatefulSet");
        assertThat(KubernetesSchema.problems(set)).isEmpty();

        assertThat(KubernetesSchema.problems(edit(set, "spec", "replicass", 1))).singleElement().asString()
                .contains("replicass");
        assertThat(KubernetesSchema.problems(edit(set, "spec", "replicas", "1"))).singleElement().asString()
                .contains("Integer");
        assertThat(KubernetesSchema.problems(edit(set, "spec", "template", "spec", "terminationGracePeriodSecond", 40)))
                .singleElement().asString().contains("terminationGracePeriodSecond");
        Map<String, Object> misspeltProbe = deepCopy(set);
        container(Map.of("StatefulSet", misspeltProbe)).put("startupProbee", Map.of("periodSeconds", 5));
        assertThat(KubernetesSchema.problems(misspeltProbe)).singleElement().asString()
                .contains("startupProbee").contains("containers[0]");
        Map<String, Object> wrongLimit = deepCopy(set);
        at(container(Map.of("StatefulSet", wrongLimit)), "resources", "limits").put("memory", List.of("768Mi"));
        assertThat(KubernetesSchema.problems(wrongLimit)).isNotEmpty();
        assertThat(KubernetesSchema.problems(edit(set, "spec", "template", "spec", "containers", Map.of("name", "ensm"))))
                .isNotEmpty();
        assertThat(KubernetesSchema.problems(edit(set, "spec", "template", "spec", "hostNetwork", "true"))).isNotEmpty();
        assertThat(KubernetesSchema.problems(edit(set, "metadata", "labels", Map.of("app", 1)))).isNotEmpty();
        Map<String, Object> unknownKind = deepCopy(set);
        unknownKind.put("kind", "StatefullSet");
        assertThat(KubernetesSchema.problems(unknownKind)).singleElement().asString().contains("not a Kubernetes API type");
    }

    /** The objects by kind (each kind once in these manifests). */
    static Map<String, Object> byKind(List<Map<String, Object>> objects) {
        Map<String, Object> out = new LinkedHashMap<>();
        objects.forEach(o -> out.put(o.get("kind").toString(), o));
        return out;
    }

    static Map<String, Object> object(Map<String, Object> byKind, String kind) {
        return at(byKind, kind);
    }

    static Map<String, Object> container(Map<String, Object> byKind) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> containers = (List<Map<String, Object>>) at(byKind, "StatefulSet", "spec", "template", "spec").get("containers");
        return containers.getFirst();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> at(Map<String, Object> from, String... path) {
        Object o = from;
        for (String p : path) {
            o = ((Map<String, Object>) o).get(p);
        }
        return (Map<String, Object>) o;
    }

    /** A copy of {@code object} with the field at the end of {@code path} set to the last argument. */
    static Map<String, Object> edit(Map<String, Object> object, Object... pathAndValue) {
        Map<String, Object> copy = deepCopy(object);
        String[] path = new String[pathAndValue.length - 2];
        for (int i = 0; i < path.length; i++) {
            path[i] = pathAndValue[i].toString();
        }
        at(copy, path).put(pathAndValue[pathAndValue.length - 2].toString(), pathAndValue[pathAndValue.length - 1]);
        return copy;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> deepCopy(Map<String, Object> object) {
        return (Map<String, Object>) copy(object);
    }

    private static Object copy(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k.toString(), copy(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            return new ArrayList<>(l.stream().map(KubernetesManifestsTest::copy).toList());
        }
        return o;
    }

    /** Maps with sorted keys and lists the API merges by name sorted by it: kustomize's order of merged elements differs. */
    static Object canonical(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.TreeMap<>();
            m.forEach((k, v) -> out.put(k.toString(), canonical(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.stream().map(KubernetesManifestsTest::canonical).toList());
            if (out.stream().allMatch(e -> e instanceof Map<?, ?> m && m.get("name") != null)) {
                out.sort(Comparator.comparing(e -> ((Map<?, ?>) e).get("name").toString()));
            }
            return out;
        }
        return o;
    }
}
