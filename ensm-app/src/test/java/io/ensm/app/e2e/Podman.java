package io.ensm.app.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** podman as an operator runs it on this host: with the repository's {@code docker/containers.conf}. */
final class Podman {
    record Result(int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }
    }

    private final Path containersConf;

    Podman(Path repo) {
        this.containersConf = repo.resolve("docker/containers.conf");
    }

    Result exec(String... args) {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        Path errFile = null;
        try {
            // The error stream into a file: a container's log comes on both streams, and a full pipe would stall podman.
            errFile = Files.createTempFile("ensm-podman-", ".err");
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(errFile.toFile());
            pb.environment().put("CONTAINERS_CONF", containersConf.toString());
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("podman " + String.join(" ", args) + " did not end within 120 s");
            }
            return new Result(p.exitValue(), out, Files.readString(errFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            if (errFile != null) {
                errFile.toFile().delete();
            }
        }
    }

    /** Runs and requires exit status 0; returns the output without its trailing newline. */
    String run(String... args) {
        Result r = exec(args);
        if (!r.ok()) {
            throw new IllegalStateException("podman " + String.join(" ", args) + " exited with " + r.exit() + ": " + r.err().strip());
        }
        return r.out().strip();
    }

    /** What the container wrote, both streams in one. */
    String logs(String container) {
        Result r = exec("logs", container);
        return r.out() + r.err();
    }

    String inspect(String container, String format) {
        return run("inspect", "--format", format, container);
    }
}
