package io.ensm.app.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Files the tests of the cached start need: the repository's scripts and the packaged jar. */
final class AotFiles {
    private AotFiles() {}

    /** The repository root: the first directory above the working directory holding scripts/run. */
    static Path repositoryRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isExecutable(d.resolve("scripts/run")) && Files.isExecutable(d.resolve("scripts/aot-cache"))) {
                return d;
            }
        }
        throw new IllegalStateException("scripts/run not found above " + Path.of("").toAbsolutePath());
    }

    /** The executable jar of ensm-app, as scripts/lib/common.sh finds it. */
    static Path packagedJar(Path repo) throws IOException {
        try (Stream<Path> s = Files.list(repo.resolve("ensm-app/target"))) {
            List<Path> jars = s.filter(p -> p.getFileName().toString().matches("ensm-app-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().endsWith("-plain.jar")).sorted().toList();
            if (jars.isEmpty()) {
                throw new IllegalStateException("no ensm-app jar in ensm-app/target: these tests run after package");
            }
            return jars.getFirst();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
