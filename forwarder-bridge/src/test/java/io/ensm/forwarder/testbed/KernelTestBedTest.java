package io.ensm.forwarder.testbed;

import io.ensm.core.testing.Cmd;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The leak check finds what it is there to find. */
@Tag("kernel")
class KernelTestBedTest {

    @BeforeEach
    void machine() {
        KernelTestBed.requireKernelTestBed();
    }

    @Test
    void aNamespaceLeftBehindIsReportedAndDeleteAllRemovesIt() {
        Namespaces ns = new Namespaces(KernelTestBed.PREFIX);
        String made = ns.create("leak");
        assertThat(Namespaces.leaks(ns.run())).containsExactly("namespace " + made + " still exists");
        assertThat(ns.deleteAll()).isEmpty();
        assertThat(Cmd.run("ip", "netns", "list")).doesNotContain(made);
    }

    @Test
    void aMarkedLinkIsFound() {
        // In a namespace of its own, not the host's: another run's leak check must never see the probe.
        Namespaces ns = new Namespaces(KernelTestBed.PREFIX);
        try {
            String probe = ns.create("probe");
            Cmd.run("ip", "-n", probe, "link", "add", "leak0", "type", "bridge");
            assertThat(Namespaces.markedLinks(probe)).isEmpty();
            Cmd.run("ip", "-n", probe, "link", "set", "leak0", "alias", "ensm:leak-check-probe");
            assertThat(Namespaces.markedLinks(probe)).containsExactly("ensm:leak-check-probe");
        } finally {
            assertThat(ns.deleteAll()).isEmpty();
        }
    }
}
