package io.ensm.core.testing;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.EndpointSource;
import io.ensm.core.spi.EndpointSourceProvider;
import io.ensm.core.spi.SourceContext;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An endpoint source for tests (type {@code listed-file}): the endpoints a properties file lists
 * when asked, written as under {@code ensm.endpoints} ({@code endpoints[0].name},
 * {@code endpoints[0].service}, {@code endpoints[0].labels.k}, {@code endpoints[0].backend.type},
 * {@code endpoints[0].backend.settings.k}). A test edits the file to make endpoints appear and
 * vanish; no file lists nothing, a file that cannot be read fails the sync (everything is kept).
 */
public final class ListedFileSource implements EndpointSource {
    public static final String TYPE = "listed-file";
    private static final Pattern KEY = Pattern.compile("endpoints\\[(\\d+)]\\.(.+)");

    private final Path file;

    public ListedFileSource(Path file) {
        this.file = file;
    }

    @Override
    public List<EndpointDefinition> discover(Set<String> services) throws BackendException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new BackendException(BackendException.Kind.UNREACHABLE, "cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<Integer, Map<String, String>> byIndex = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            Matcher m = KEY.matcher(key);
            if (m.matches()) {
                byIndex.computeIfAbsent(Integer.parseInt(m.group(1)), i -> new LinkedHashMap<>()).put(m.group(2), p.getProperty(key));
            }
        }
        List<EndpointDefinition> found = new ArrayList<>();
        for (Map<String, String> e : byIndex.values()) {
            found.add(new EndpointDefinition(new EndpointSpec(e.get("name"), e.get("service"), under(e, "labels.")),
                    e.get("backend.type"), under(e, "backend.settings.")));
        }
        return found;
    }

    private static Map<String, String> under(Map<String, String> e, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        e.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** Writes the file at once (a source never reads half of it): {@code endpoints} keyed as in the file. */
    public static void write(Path file, Map<String, String> endpoints) {
        Properties p = new Properties();
        p.putAll(endpoints);
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".listed-", ".tmp");
            try (var w = Files.newBufferedWriter(tmp)) {
                p.store(w, null);
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Made from the setting {@code file}. */
    public static final class Provider implements EndpointSourceProvider {
        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public EndpointSource create(SourceContext context) {
            Path file = Path.of(context.settings().required("file", "the file that lists the endpoints"));
            context.settings().done();
            return new ListedFileSource(file);
        }
    }
}
