package io.ensm.tf.testbed;

import io.ensm.core.testing.Prerequisites;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test bed's last way to its sources, shallow clones of pinned commits, taken from a mirror of
 * OpenSDN-io's repositories ({@code ENSM_OPENSDN_GIT}): here local repositories made from the
 * source archives beside the project, since this machine reaches no GitHub.
 */
class OpenSdnSourcesTest {
    private static final List<String> ARCHIVES = List.of("tf-controller-src.tar.xz", "tf-api-client.tar.xz", "tf-common-src.tar.xz");
    private static final List<String> REPOS = List.of("tf-controller", "tf-api-client", "tf-common");

    @TempDir
    static Path dir;
    static Path root;
    static Path mirrors;
    static String pins;

    record Run(int exit, String output) {}

    @BeforeAll
    static void mirrorsFromTheArchives() throws Exception {
        root = projectRoot();
        Path archives = archives(root);
        if (archives == null) {
            Prerequisites.here().unmet("no OpenSDN source archives beside the project (shared/testbeds/opensdn) to make a mirror from");
        }
        Prerequisites.here().requireCommand("git", "Debian package git");
        mirrors = dir.resolve("mirrors");
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < REPOS.size(); i++) {
            String repo = REPOS.get(i);
            Run made = bash(Map.of(), """
                    set -e
                    work=$(mktemp -d -p "$DIR")
                    tar -xJf "$ARCHIVE" -C "$work"
                    git init -q -b main "$work/%1$s"
                    git -C "$work/%1$s" add -A
                    git -C "$work/%1$s" -c user.name=test -c user.email=test@example.org commit -qm import
                    git clone -q --bare "$work/%1$s" "$MIRRORS/%1$s.git"
                    git -C "$MIRRORS/%1$s.git" config uploadpack.allowReachableSHA1InWant true
                    git -C "$MIRRORS/%1$s.git" rev-parse HEAD
                    """.formatted(repo), "ARCHIVE", archives.resolve(ARCHIVES.get(i)).toString(), "DIR", dir.toString(),
                    "MIRRORS", mirrors.toString());
            assertThat(made.exit()).as(made.output()).isZero();
            p.append(p.isEmpty() ? "" : ",").append(repo).append('=').append(made.output().strip().lines().reduce((a, b) -> b).orElseThrow());
        }
        pins = p.toString();
    }

    @Test
    void clonesThePinnedCommitsFromTheNamedMirrorOnlyOnce() throws Exception {
        Map<String, String> env = Map.of("ENSM_OPENSDN_GIT", "file://" + mirrors, "ENSM_OPENSDN_PINS", pins,
                "ENSM_OPENSDN_DIR", dir.resolve("cache").toString());

        Run first = script(env, "sources", dir.resolve("first").toString());
        Run second = script(env, "sources", dir.resolve("second").toString());

        assertThat(first.exit()).as(first.output()).isZero();
        assertThat(first.output()).contains("cloning file://" + mirrors + "/tf-controller.git", "clone tf-controller@");
        assertThat(second.exit()).as(second.output()).isZero();
        assertThat(second.output()).as("the clones are kept and reused").doesNotContain("cloning");
        Path staged = dir.resolve("second");
        assertThat(staged.resolve("tf-controller/src/config/api-server")).isDirectory();
        assertThat(staged.resolve("tf-common/sandesh")).isDirectory();
        assertThat(staged.resolve("tf-api-client/api-lib")).isDirectory();
        Path probe = Path.of("tf-controller/src/config/api-server/vnc_cfg_api_server/api_server.py");
        Run fromArchive = bash(Map.of(), "tar -xJOf \"$A\" " + probe, "A", archives(root).resolve(ARCHIVES.get(0)).toString());
        assertThat(Files.readString(staged.resolve(probe))).isEqualTo(fromArchive.output());
    }

    @Test
    void aMirrorWithoutThePinnedCommitIsACannotRunNamingIt() throws Exception {
        String missing = "0123456789abcdef0123456789abcdef01234567";
        Map<String, String> env = Map.of("ENSM_OPENSDN_GIT", "file://" + mirrors, "ENSM_OPENSDN_PINS",
                pins.replaceFirst("tf-common=[0-9a-f]+", "tf-common=" + missing), "ENSM_OPENSDN_DIR", dir.resolve("cache-missing").toString());

        Run r = script(env, "sources", dir.resolve("missing").toString());

        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        assertThat(r.output()).contains("cannot run on this machine: no sources", "tf-common.git (commit " + missing + ")");
    }

    @Test
    void aMalformedPinIsAUsageError() throws Exception {
        Run r = script(Map.of("ENSM_OPENSDN_PINS", "tf-kernel=abc1234"), "sources", dir.resolve("bad").toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output()).contains("ENSM_OPENSDN_PINS: 'tf-kernel=abc1234' is not <repository>=<commit>");
    }

    private static Run script(Map<String, String> env, String... args) throws Exception {
        StringBuilder cmd = new StringBuilder("exec \"$ROOT/scripts/opensdn-testbed\"");
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("ROOT", root.toString());
        for (int i = 0; i < args.length; i++) {
            cmd.append(" \"$ARG").append(i).append('"');
            all.put("ARG" + i, args[i]);
        }
        return bash(all, cmd.toString());
    }

    private static Run bash(Map<String, String> env, String script, String... pairs) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
        pb.environment().putAll(env);
        for (int i = 0; i < pairs.length; i += 2) {
            pb.environment().put(pairs[i], pairs[i + 1]);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + script);
        }
        return new Run(p.exitValue(), out);
    }

    /** The archives beside the checkout, where the test bed looks for them; null when absent. */
    private static Path archives(Path root) throws Exception {
        Run common = bash(Map.of(), "git -C \"$R\" rev-parse --path-format=absolute --git-common-dir", "R", root.toString());
        Stream<Path> candidates = Stream.of(root.resolve("../shared/testbeds/opensdn"));
        if (common.exit() == 0) {
            candidates = Stream.concat(candidates, Stream.of(Path.of(common.output().strip()).getParent().resolve("../shared/testbeds/opensdn")));
        }
        return candidates.filter(d -> ARCHIVES.stream().allMatch(a -> Files.isRegularFile(d.resolve(a))))
                .map(Path::normalize).findFirst().orElse(null);
    }

    private static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isExecutable(p.resolve("scripts/opensdn-testbed"))) {
            p = p.getParent();
        }
        return p;
    }
}
