package io.ensm.app.e2e;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.core.spi.VlanRange;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A test "device" that writes its state to a file, so a test can read what is provisioned from
 * outside the ensm process: one line per live connection ({@code <id> vlan=<n> endpoint=<addrs>
 * client=<addrs>}), rewritten atomically on every change. Every provision and release call is
 * appended to a second file, so a test can prove that something did, or did not, touch the device.
 * Every line counts as marked by ensm for the orphan sweep.
 */
public final class JournalBackend implements Backend {
    private final Path journal;
    private final Path calls;
    private final BackendCapabilities capabilities;
    private final Map<String, String> lines = new TreeMap<>();

    public JournalBackend(String endpoint, Path journal, Path calls, VlanRange vlans) {
        this.journal = journal;
        this.calls = calls;
        this.capabilities = new BackendCapabilities(Set.of(PlanKind.FABRIC_VLAN), "journal:" + endpoint, vlans, null);
        try {
            if (Files.exists(journal)) {
                for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        lines.put(line.substring(0, line.indexOf(' ')), line);
                    }
                }
            } else {
                write();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The journal line for a connection, as {@link #provision} writes it. */
    public static String line(String id, int vlan, List<String> endpointAddrs, List<String> clientAddrs) {
        return id + " vlan=" + vlan + " endpoint=" + String.join(",", endpointAddrs) + " client=" + String.join(",", clientAddrs);
    }

    @Override
    public BackendCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public synchronized Attachment provision(ProvisionIntent intent) throws BackendException {
        log("provision " + intent.connectionId());
        lines.put(intent.connectionId(), lineOf(intent));
        persist();
        return new Attachment.FabricVlan(intent.allocation().vlanId());
    }

    @Override
    public synchronized void release(ProvisionIntent intent) throws BackendException {
        log("release " + intent.connectionId());
        if (lines.remove(intent.connectionId()) != null) {
            persist();
        }
    }

    @Override
    public synchronized Verification verify(ProvisionIntent intent) {
        String line = lines.get(intent.connectionId());
        if (line == null) {
            return Verification.MISSING;
        }
        return line.equals(lineOf(intent)) ? Verification.PRESENT : Verification.DRIFTED;
    }

    @Override
    public synchronized Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        Set<String> removed = new TreeSet<>();
        for (String id : List.copyOf(lines.keySet())) {
            if (!isKnown.test(id)) {
                log("remove-orphan " + id);
                lines.remove(id);
                removed.add(id);
            }
        }
        if (!removed.isEmpty()) {
            persist();
        }
        return removed;
    }

    private static String lineOf(ProvisionIntent intent) {
        return line(intent.connectionId(), intent.allocation().vlanId(),
                intent.allocation().endpointAddrs(), intent.allocation().clientAddrs());
    }

    private void log(String entry) throws BackendException {
        try {
            Files.writeString(calls, entry + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new BackendException(BackendException.Kind.UNREACHABLE, "journal call log " + calls + ": " + e.getMessage(), e);
        }
    }

    private void persist() throws BackendException {
        try {
            write();
        } catch (IOException e) {
            throw new BackendException(BackendException.Kind.UNREACHABLE, "journal " + journal + ": " + e.getMessage(), e);
        }
    }

    private void write() throws IOException {
        Path tmp = journal.resolveSibling(journal.getFileName() + ".tmp");
        List<String> content = new ArrayList<>(lines.values());
        Files.write(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
