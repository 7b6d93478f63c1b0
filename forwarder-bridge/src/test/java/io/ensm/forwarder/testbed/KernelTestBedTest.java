package io.ensm.forwarder.testbed;

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
    void aMarkedLinkInTheHostNamespaceIsReported() {
        String name = "ensmtleak" + Long.toHexString(System.nanoTime() & 0xffff);
        Cmd.run("ip", "link", "add", name, "type", "bridge");
        try {
            Cmd.run("ip", "link", "set", name, "alias", "ensm:leak-check-probe");
            assertThat(Namespaces.leaks(KernelTestBed.PREFIX + "none")).contains("host namespace holds a link marked ensm:leak-check-probe");
        } finally {
            Cmd.run("ip", "link", "del", name);
        }
        assertThat(Namespaces.leaks(KernelTestBed.PREFIX + "none")).noneMatch(s -> s.contains("leak-check-probe"));
    }
}
